using Umt.Models.Weights;
using static TorchSharp.torch;

namespace Umt.Models.Bert;

/// <summary>
/// The reference's text encoder and fusion encoder: ALBEF's xbert <c>BertForMaskedLM</c> as UMT
/// builds it (unmasked_teacher multi_modality/models/backbones/bert/builder.py, xbert.py): a
/// post-norm BERT whose layers <c>[0, FusionLayer)</c> encode text alone ("text" mode) and whose
/// layers <c>[FusionLayer, Layers)</c> add cross-attention to vision tokens ("fusion" mode), plus
/// the MLM head with its decoder tied to the word embeddings. Module names are HF/xbert's keys
/// (<c>bert.embeddings.*</c>, <c>bert.encoder.layer.{i}.*</c>, <c>cls.predictions.*</c>).
/// </summary>
/// <remarks>
/// Masks, as xbert under transformers 4.21 (UMT's vl.yml) computes them: padded text keys get
/// <c>(1 − mask)·−10000</c> added to the scores (xbert's own <c>get_extended_attention_mask</c>);
/// masked vision keys get <c>(1 − mask)·finfo(dtype).min</c> (transformers'
/// <c>invert_attention_mask</c>). UMT always passes an all-ones vision mask, where both agree.
/// Dropout (0.1 on embeddings, residual outputs and attention probabilities) acts only in training
/// mode. No pooler: the reference pools by taking the <c>[CLS]</c> state.
/// </remarks>
public sealed class BertForMaskedLM : nn.Module
{
    private readonly BertModel bert;
    private readonly BertOnlyMlmHead cls;

    /// <summary>Creates the model with HF's init (<c>_init_weights</c>): Linear and Embedding weights N(0, 0.02), biases 0, LayerNorm 1 and 0.</summary>
    /// <exception cref="ArgumentException">The config is inconsistent.</exception>
    public BertForMaskedLM(BertConfig config) : base(nameof(BertForMaskedLM))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        bert = new BertModel(config);
        cls = new BertOnlyMlmHead(config);
        RegisterComponents();
        BertInit.Apply(this);
    }

    /// <summary>The architecture.</summary>
    public BertConfig Config { get; }

    /// <summary>
    /// "text" mode (xbert <c>mode='text'</c>, umt.py <c>encode_text</c>): embeddings and layers
    /// <c>[0, FusionLayer)</c>, self-attention only.
    /// </summary>
    /// <param name="inputIds">Token ids <c>[B, L]</c> int64, L ≤ <see cref="BertConfig.MaxPositions"/>.</param>
    /// <param name="attentionMask"><c>[B, L]</c>, 1 = token, 0 = padding (any numeric dtype).</param>
    /// <returns>Text hidden states <c>[B, L, H]</c>.</returns>
    public Tensor EncodeText(Tensor inputIds, Tensor attentionMask) => Encode(inputIds, attentionMask, Config.FusionLayer);

    /// <summary>
    /// A plain BERT forward over all layers with self-attention only (cross-attention skipped): what
    /// the pretrained checkpoint computes on its own, to check imported weights against HF.
    /// </summary>
    /// <param name="inputIds">Token ids <c>[B, L]</c> int64.</param>
    /// <param name="attentionMask"><c>[B, L]</c>, 1 = token, 0 = padding.</param>
    /// <returns>Last hidden states <c>[B, L, H]</c>.</returns>
    public Tensor EncodeAll(Tensor inputIds, Tensor attentionMask) => Encode(inputIds, attentionMask, Config.Layers);

    /// <summary>
    /// "fusion" mode (xbert <c>mode='fusion'</c>, fed <c>encoder_embeds</c>): layers
    /// <c>[FusionLayer, Layers)</c> on text hidden states, each with self-attention, then
    /// cross-attention whose keys and values come from the vision tokens, then the feed-forward.
    /// </summary>
    /// <param name="textHidden">Text hidden states <c>[B, L, H]</c>, e.g. from <see cref="EncodeText"/>.</param>
    /// <param name="attentionMask">Text mask <c>[B, L]</c>, 1 = token, 0 = padding.</param>
    /// <param name="vision">Vision tokens <c>[B, N, EncoderWidth]</c> (cast to the text's dtype).</param>
    /// <param name="visionMask">Vision mask <c>[B, N]</c>, 1 = attend, 0 = ignore; null attends to all.</param>
    /// <returns>Fused hidden states <c>[B, L, H]</c>.</returns>
    public Tensor Fuse(Tensor textHidden, Tensor attentionMask, Tensor vision, Tensor? visionMask = null)
    {
        ArgumentNullException.ThrowIfNull(textHidden);
        ArgumentNullException.ThrowIfNull(vision);
        if (textHidden.dim() != 3 || textHidden.shape[2] != Config.Hidden)
        {
            throw new ArgumentException($"Text hidden states must be [B, L, {Config.Hidden}], got [{string.Join(", ", textHidden.shape)}].", nameof(textHidden));
        }
        CheckMask(attentionMask, textHidden.shape[0], textHidden.shape[1], nameof(attentionMask));
        if (vision.dim() != 3 || vision.shape[0] != textHidden.shape[0] || vision.shape[2] != Config.EncoderWidth)
        {
            throw new ArgumentException($"Vision tokens must be [{textHidden.shape[0]}, N, {Config.EncoderWidth}], got [{string.Join(", ", vision.shape)}].", nameof(vision));
        }
        if (visionMask is not null)
        {
            CheckMask(visionMask, vision.shape[0], vision.shape[1], nameof(visionMask));
        }

        var dtype = textHidden.dtype;
        var textMask = BertAttentionMasks.Text(attentionMask, dtype);                          // [B, 1, 1, L]
        var crossMask = visionMask is null ? null : BertAttentionMasks.Encoder(visionMask, dtype); // [B, 1, 1, N]
        return bert.Encode(textHidden, textMask, Config.FusionLayer, Config.Layers, vision.to(dtype), crossMask); // [B, L, H]
    }

    /// <summary>
    /// The MLM head (xbert <c>BertOnlyMLMHead</c>): transform (dense, exact GELU, LayerNorm), then
    /// the decoder tied to the word embeddings, plus <c>cls.predictions.bias</c>.
    /// </summary>
    /// <param name="hidden">Hidden states <c>[B, L, H]</c> (the reference feeds fused states).</param>
    /// <returns>Logits <c>[B, L, VocabSize]</c>.</returns>
    public Tensor MlmLogits(Tensor hidden)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        return cls.Forward(hidden, bert.WordEmbeddings);                                  // [B, L, V]
    }

    /// <summary>
    /// Loads a HuggingFace-layout BERT state dict, as xbert's <c>from_pretrained</c> does for the
    /// reference: keys with or without the <c>bert.</c> prefix, TF-era <c>gamma</c>/<c>beta</c>
    /// LayerNorm names, <c>cls.predictions.*</c> optional (all or nothing), cross-attention optional
    /// per layer (pretrained BERT never has it). <c>bert.pooler.*</c>, <c>cls.seq_relationship.*</c>
    /// and the <c>position_ids</c>/<c>token_type_ids</c> buffers are skipped silently: the reference
    /// builds no pooler or next-sentence head, and positions/types are fixed. A
    /// <c>cls.predictions.decoder.weight</c> is only shape-checked: the decoder is the word
    /// embedding matrix, which wins as in HF (it re-ties the decoder to the input embeddings after
    /// loading); <c>cls.predictions.decoder.bias</c> is <c>cls.predictions.bias</c> under another name.
    /// Nothing is copied unless everything fits; tensors are converted to the module's dtype and device.
    /// </summary>
    /// <param name="stateDict">Checkpoint tensors, e.g. from <see cref="WeightFile.ReadStateDict"/>.</param>
    /// <returns>The parameter names left at their fresh initialisation, in module order (cross-attention; the MLM head when the file has none).</returns>
    /// <exception cref="StateDictMismatchException">Required keys are missing, keys belong nowhere or are duplicated, or shapes differ; all are listed.</exception>
    public IReadOnlyList<string> LoadHuggingFace(IReadOnlyDictionary<string, Tensor> stateDict)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var target = state_dict();
        var offered = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var unexpected = new List<string>();
        var wrongShapes = new List<(string Key, long[] Expected, long[] Found)>();
        Tensor? decoderBias = null;

        void CheckShape(string key, Tensor found, Tensor expected)
        {
            if (!found.shape.SequenceEqual(expected.shape))
            {
                wrongShapes.Add((key, expected.shape, found.shape));
            }
        }

        foreach (var (key, tensor) in stateDict.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            var (kind, name) = HuggingFaceBertKeys.Map(key);
            switch (kind)
            {
                case BertKeyKind.Ignored:
                    continue;
                case BertKeyKind.TiedDecoderWeight:
                    CheckShape(key, tensor, bert.WordEmbeddings);
                    continue;
                case BertKeyKind.TiedDecoderBias:
                    CheckShape(key, tensor, target[HuggingFaceBertKeys.HeadBias]);
                    decoderBias = tensor;
                    continue;
            }
            // A key the module lacks, or a second spelling of one already seen (bert.x and x both).
            if (!target.TryGetValue(name, out var destination) || !offered.TryAdd(name, tensor))
            {
                unexpected.Add(key);
                continue;
            }
            CheckShape(key, tensor, destination);
        }
        if (decoderBias is not null)
        {
            offered.TryAdd(HuggingFaceBertKeys.HeadBias, decoderBias); // a checkpoint with decoder.bias only
        }

        var presentGroups = offered.Keys.Select(HuggingFaceBertKeys.OptionalGroup).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var missing = target.Keys
            .Where(key => !offered.ContainsKey(key) && (HuggingFaceBertKeys.OptionalGroup(key) is not { } group || presentGroups.Contains(group)))
            .ToList();
        if (missing.Count > 0 || unexpected.Count > 0 || wrongShapes.Count > 0)
        {
            throw new StateDictMismatchException(nameof(BertForMaskedLM), "", missing, unexpected, wrongShapes);
        }

        using (no_grad())
        {
            foreach (var (name, tensor) in offered)
            {
                target[name].copy_(tensor);
            }
        }
        return target.Keys.Where(key => !offered.ContainsKey(key)).ToList();
    }

    /// <summary>Embeddings and layers <c>[0, <paramref name="layers"/>)</c>, self-attention only.</summary>
    private Tensor Encode(Tensor inputIds, Tensor attentionMask, int layers)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (inputIds.dim() != 2 || inputIds.shape[1] < 1 || inputIds.shape[1] > Config.MaxPositions)
        {
            throw new ArgumentException($"Token ids must be [B, L] with 1 ≤ L ≤ {Config.MaxPositions}, got [{string.Join(", ", inputIds.shape)}].", nameof(inputIds));
        }
        CheckMask(attentionMask, inputIds.shape[0], inputIds.shape[1], nameof(attentionMask));

        var x = bert.Embed(inputIds);                                                    // [B, L, H]
        var textMask = BertAttentionMasks.Text(attentionMask, x.dtype);                         // [B, 1, 1, L]
        return bert.Encode(x, textMask, 0, layers, vision: null, visionMask: null);      // [B, L, H]
    }

    private static void CheckMask(Tensor mask, long batch, long length, string parameter)
    {
        ArgumentNullException.ThrowIfNull(mask, parameter);
        if (mask.dim() != 2 || mask.shape[0] != batch || mask.shape[1] != length)
        {
            throw new ArgumentException($"The mask must be [{batch}, {length}], got [{string.Join(", ", mask.shape)}].", parameter);
        }
    }
}
