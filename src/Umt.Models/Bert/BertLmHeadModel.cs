using System.Globalization;
using static TorchSharp.torch;

namespace Umt.Models.Bert;

/// <summary>
/// The reference's open-ended QA answer decoder (unmasked_teacher multi_modality/models/umt_qa.py
/// <c>text_decoder</c>, built by backbones/bert/builder.py <c>build_bert_decoder</c> as xbert's
/// <c>BertLMHeadModel</c>): a post-norm BERT of <c>Layers − FusionLayer</c> layers, every one with
/// causal self-attention and cross-attention to the question's fused states, and the MLM head as
/// its language-model head. Keys are xbert's under <c>text_decoder.</c>: <c>bert.embeddings.*</c>,
/// <c>bert.encoder.layer.{i}.*</c>, <c>cls.predictions.*</c>.
/// </summary>
/// <remarks>
/// Masks as xbert's decoder under transformers 4.21: self-attention adds −10000 where a key is
/// padding or lies after the query (<c>get_extended_attention_mask</c> with <c>is_decoder</c>);
/// cross-attention adds the dtype's most negative value where a question token is padding
/// (<c>invert_attention_mask</c>).
/// </remarks>
public sealed class BertLmHeadModel : nn.Module
{
    private readonly BertModel bert;
    private readonly BertOnlyMlmHead cls;

    /// <summary>A decoder of <paramref name="config"/> (its <c>FusionLayer</c> must be 0) with HF's init.</summary>
    /// <exception cref="ArgumentException">The config is inconsistent or has layers without cross-attention.</exception>
    public BertLmHeadModel(BertConfig config) : base(nameof(BertLmHeadModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        if (config.FusionLayer != 0)
        {
            throw new ArgumentException($"Every decoder layer cross-attends (build_bert_decoder sets fusion_layer = 0), got {config.FusionLayer}.", nameof(config));
        }
        Config = config;
        bert = new BertModel(config);
        cls = new BertOnlyMlmHead(config);
        RegisterComponents();
        BertInit.Apply(this);
    }

    public BertConfig Config { get; }

    /// <summary>
    /// build_bert_decoder's architecture for a text encoder: its layers after the fusion layer, all
    /// fusing. The cross-attention reads the question's states, so its keys and values are
    /// projected from the text width (the reference sets <c>encoder_width</c> to the vision width,
    /// which equals the text width in every configuration it ships).
    /// </summary>
    public static BertConfig DecoderOf(BertConfig encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        return encoder with { Layers = encoder.Layers - encoder.FusionLayer, FusionLayer = 0, EncoderWidth = encoder.Hidden };
    }

    /// <summary>
    /// tasks/shared_utils.py <c>setup_model(has_decoder=True)</c>: the decoder starts as the text
    /// encoder's fusion layers (encoder layer <c>FusionLayer + i</c> → decoder layer i), embeddings
    /// and MLM head. A tensor whose shape differs keeps its fresh initialisation (the cross-attention
    /// keys and values when the vision width differs from the text width).
    /// </summary>
    /// <returns>The decoder's keys left at their fresh initialisation.</returns>
    public IReadOnlyList<string> InitializeFrom(BertForMaskedLM encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        var target = state_dict();
        var copied = new HashSet<string>(StringComparer.Ordinal);
        using (no_grad())
        {
            foreach (var (key, tensor) in encoder.state_dict())
            {
                if (DecoderKey(key, encoder.Config.FusionLayer) is { } name && target.TryGetValue(name, out var destination)
                    && destination.shape.SequenceEqual(tensor.shape))
                {
                    destination.copy_(tensor);
                    copied.Add(name);
                }
            }
        }
        return [.. target.Keys.Where(key => !copied.Contains(key))];
    }

    /// <summary>
    /// Next-token logits of answers given the question: <c>BertLMHeadModel.forward</c>'s
    /// <c>prediction_scores</c>.
    /// </summary>
    /// <param name="answerIds">Answer tokens <c>[B, La]</c> int64, <c>[CLS] answer [SEP]</c> then padding.</param>
    /// <param name="answerMask"><c>[B, La]</c>, 1 = token, 0 = padding.</param>
    /// <param name="questionStates">The question's fused states <c>[B, Lq, H]</c>.</param>
    /// <param name="questionMask"><c>[B, Lq]</c>, 1 = token, 0 = padding.</param>
    /// <returns>Logits <c>[B, La, V]</c>: row t predicts token t + 1.</returns>
    public Tensor Logits(Tensor answerIds, Tensor answerMask, Tensor questionStates, Tensor questionMask)
    {
        ArgumentNullException.ThrowIfNull(answerIds);
        ArgumentNullException.ThrowIfNull(questionStates);
        long batch = answerIds.shape[0];
        if (questionStates.shape[0] != batch || questionStates.shape[2] != Config.EncoderWidth)
        {
            throw new ArgumentException($"Question states must be [{batch}, Lq, {Config.EncoderWidth}], got [{string.Join(", ", questionStates.shape)}].", nameof(questionStates));
        }
        var x = bert.Embed(answerIds);                                                             // [B, La, H]
        var selfMask = BertAttentionMasks.CausalText(answerMask, x.dtype);                        // [B, 1, La, La]
        var crossMask = BertAttentionMasks.Encoder(questionMask, x.dtype);                        // [B, 1, 1, Lq]
        var hidden = bert.Encode(x, selfMask, 0, Config.Layers, questionStates.to(x.dtype), crossMask); // [B, La, H]
        return cls.Forward(hidden, bert.WordEmbeddings);                                           // [B, La, V]
    }

    /// <summary>
    /// xbert <c>BertLMHeadModel</c>'s loss with <c>reduction="none"</c>: the label-smoothed
    /// cross-entropy of each next token, padding ignored, summed over the answer.
    /// </summary>
    /// <param name="logits">From <see cref="Logits"/>, <c>[B, La, V]</c>.</param>
    /// <param name="answerIds"><c>[B, La]</c>.</param>
    /// <param name="padId">The padding token (the reference's targets are the ids with padding set to −100).</param>
    /// <param name="labelSmoothing">The reference's 0.1.</param>
    /// <returns><c>[B]</c>.</returns>
    public static Tensor SequenceLoss(Tensor logits, Tensor answerIds, long padId, double labelSmoothing)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(answerIds);
        long batch = logits.shape[0], length = logits.shape[1], vocab = logits.shape[2];
        var predictions = logits.narrow(1, 0, length - 1).reshape(-1, vocab);                     // [B·(La−1), V]
        var targets = answerIds.narrow(1, 1, length - 1);                                          // [B, La−1]
        targets = targets.masked_fill(targets.eq(padId), IgnoredTarget).reshape(-1);              // [B·(La−1)]
        var perToken = nn.functional.cross_entropy(predictions, targets, ignore_index: IgnoredTarget,
            reduction: nn.Reduction.None, label_smoothing: labelSmoothing);                        // [B·(La−1)], 0 where ignored
        return perToken.view(batch, length - 1).sum(1);                                            // [B]
    }

    /// <summary>torch's <c>ignore_index</c> default, which the reference's targets use for padding.</summary>
    private const long IgnoredTarget = -100;

    /// <summary>The decoder key of a text-encoder key (setup_model's renaming), or null for the layers before the fusion layer.</summary>
    private static string? DecoderKey(string key, int fusionLayer)
    {
        const string Layers = "bert.encoder.layer.";
        if (!key.StartsWith(Layers, StringComparison.Ordinal))
        {
            return key;
        }
        int dot = key.IndexOf('.', Layers.Length);
        int layer = int.Parse(key[Layers.Length..dot], CultureInfo.InvariantCulture);
        return layer < fusionLayer ? null : string.Create(CultureInfo.InvariantCulture, $"{Layers}{layer - fusionLayer}{key[dot..]}");
    }
}
