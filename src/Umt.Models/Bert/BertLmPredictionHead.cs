using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Umt.Models.Bert;

/// <summary>
/// xbert.py <c>BertLMPredictionHead</c> under <c>cls.predictions.</c>: <c>transform</c>, then the
/// decoder H → V whose weight is the word embedding matrix, plus the output-only <c>bias</c>.
/// </summary>
/// <remarks>
/// The decoder has no module of its own. HF ties <c>cls.predictions.decoder.weight</c> to
/// <c>bert.embeddings.word_embeddings.weight</c> by making both attributes one Parameter; in
/// TorchSharp that tie would not survive <c>.to(device)</c> / <c>.to(dtype)</c>, which replace the
/// Parameter of each module whose fields they walk, leaving two diverging copies (and an
/// optimizer that updates them separately). The word embedding matrix is therefore passed in and
/// read at call time, so there is one Parameter, counted once, with one key — the state dict has
/// no <c>cls.predictions.decoder.weight</c>, as in the safetensors files HF's save_pretrained
/// writes (it drops tied duplicates).
/// </remarks>
internal sealed class BertLmPredictionHead : nn.Module
{
    private readonly BertPredictionHeadTransform transform;
    private readonly Parameter bias;

    public BertLmPredictionHead(BertConfig config) : base("predictions")
    {
        transform = new BertPredictionHeadTransform(config);
        bias = nn.Parameter(zeros(config.VocabSize).DetachFromDisposeScope());
        RegisterComponents();
    }

    /// <param name="hidden">Hidden states <c>[B, L, H]</c>.</param>
    /// <param name="wordEmbeddings">The word embedding matrix <c>[V, H]</c> (the tied decoder weight).</param>
    /// <returns>Logits <c>[B, L, V]</c>.</returns>
    public Tensor Forward(Tensor hidden, Tensor wordEmbeddings)
    {
        var transformed = transform.Forward(hidden);                             // [B, L, H]
        return nn.functional.linear(transformed, wordEmbeddings, bias);         // [B, L, V]
    }
}
