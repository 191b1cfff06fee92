using System.Composition;
using TorchSharp;
using Umt.Abstractions.Composition;
using Umt.Abstractions.TextEncoders;
using Umt.Models.Bert;
using Umt.Models.Weights;
using Umt.Plugins.TextEncoders.Encoding;
using Umt.Plugins.TextEncoders.MiniLm;
using Umt.Plugins.TextEncoders.Tokenization;

namespace Umt.Plugins.TextEncoders.Bert;

/// <summary>MEF export of the <c>bert</c> text encoder.</summary>
[ExportTextEncoder("bert", Description = "BERT-base/large (xbert) with cross-attention fusion layers; HuggingFace weights (safetensors or .bin, read as data) or random; WordPiece uncased."), Shared]
internal sealed class BertTextEncoderFactory : TextEncoderFactory<BertOptions>
{
    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public BertTextEncoderFactory()
    {
    }

    protected override TextEncoderTraits Describe(BertOptions options, PluginContext context)
    {
        var config = Config(options, context);
        if (options.Weights is { Length: > 0 } weights && !File.Exists(context.ResolvePath(weights)))
        {
            throw new FileNotFoundException($"Weights: '{context.ResolvePath(weights)}' does not exist.");
        }
        if (options.Vocab is { } vocab && !File.Exists(context.ResolvePath(vocab)))
        {
            throw new FileNotFoundException($"Vocab: '{context.ResolvePath(vocab)}' does not exist.");
        }
        return BertTextEncoder.TraitsOf(config, options.MaxLength);
    }

    protected override ITextEncoder Create(BertOptions options, PluginContext context)
    {
        var config = Config(options, context);
        var tokenizer = options.Vocab is { } vocab
            ? WordPieceTokenizer.Load(context.ResolvePath(vocab))
            : WordPieceTokenizer.Load(MiniLmResources.OpenVocabulary());
        var model = new BertForMaskedLM(config);
        if (options.Weights is { Length: > 0 } weights)
        {
            string path = context.ResolvePath(weights);
            var fresh = model.LoadHuggingFace(WeightFile.ReadStateDict(path));
            context.Log.Information("bert: {Preset} weights from {Path}; {Fresh} tensors freshly initialised (cross-attention, MLM head when absent)", options.Preset, path, fresh.Count);
        }
        else
        {
            context.Log.Warning("bert: {Preset} with random weights (Umt:TextEncoder:Options:bert:Weights is not set)", options.Preset);
        }
        model.to(context.Device);
        return new BertTextEncoder(model, new WordPieceTextTokenizer(tokenizer, options.MaxLength));
    }

    private static BertConfig Config(BertOptions options, PluginContext context)
    {
        var preset = options.Preset == "large" ? BertConfig.Large(context.Student.Width) : BertConfig.Base(context.Student.Width);
        if (options.FusionLayer is { } fusion && fusion > preset.Layers)
        {
            throw new ArgumentException($"FusionLayer: {fusion} is past the {preset.Layers} layers of bert-{options.Preset}.");
        }
        return preset with { FusionLayer = options.FusionLayer ?? preset.FusionLayer, HiddenDropout = options.Dropout, AttentionDropout = options.Dropout };
    }
}
