using TorchSharp;
using Umt.Abstractions.Randomness;
using static TorchSharp.torch;

namespace Umt.Plugins.Objectives.Mlm;

/// <summary>
/// Masked language modelling of stage 2 (umt-method.md §3.2), as pure functions: BERT's 80/10/10
/// corruption of the caption and the loss on the corrupted positions. Mirrors the reference's
/// multi_modality/models/criterions.py <c>MLMLoss.mask</c> / <c>MLMLoss.mlm_loss</c> (the
/// <c>mask()</c> that umt.py reaches through <c>criterion_mlm</c>), with
/// <c>mlm_masking_prob = 0.5</c> by default.
/// </summary>
internal static class MlmMasking
{
    /// <summary>Purpose of each row's generator in the sample keys.</summary>
    public const string Purpose = "mlm";

    /// <summary>Label of positions that are not scored (HuggingFace / <c>CrossEntropyLoss</c> default).</summary>
    public const long IgnoreIndex = -100;

    /// <summary>Share of the selected tokens replaced by [MASK] (<c>bernoulli(0.8)</c>).</summary>
    private const double MaskShare = 0.8;

    /// <summary>
    /// Share of the selected, not-[MASK]ed tokens replaced by a random id (<c>bernoulli(0.5)</c>):
    /// 0.2 · 0.5 = 10 % of the selected; the other 10 % keep their token.
    /// </summary>
    private const double RandomShareOfRest = 0.5;

    /// <summary>
    /// Corrupts a batch of token ids for MLM and returns the labels.
    /// </summary>
    /// <remarks>
    /// <para>Semantics, as the reference's <c>mask()</c>: every position is selected with
    /// <paramref name="probability"/>, then positions holding [PAD] or [CLS] are deselected — and
    /// only those: [SEP] (and [MASK]/[UNK] if present) can be selected and scored. Labels are the
    /// original id at selected positions and −100 elsewhere. Of the selected, [MASK] with 0.8; of the
    /// rest, a random id with 0.5; otherwise unchanged. The random id is uniform over the whole
    /// vocabulary [0, <paramref name="vocabSize"/>) (<c>torch.randint(vocab_size, ...)</c>), so it can be a
    /// special token, the original token, or [MASK] itself.</para>
    /// <para>Randomness: row i uses one generator seeded with <c>keys.Key(i, "mlm")</c> and draws, in
    /// this order, <c>rand([3, L])</c> (fp32: row 0 selects where <c>u &lt; probability</c>, row 1
    /// picks [MASK] where <c>u &lt; 0.8</c>, row 2 picks a random id where <c>u &lt; 0.5</c>) and
    /// then <c>randint(0, vocabSize, [L])</c>. All 4·L numbers are drawn whatever the tokens are,
    /// so a row's corruption depends only on its key, its ids and L — not on its batch or its
    /// place in it. The reference draws the same four tensors from the global generator for the
    /// whole batch at once; the distribution is the same, the numbers are not.</para>
    /// </remarks>
    /// <param name="inputIds"><c>[B, L]</c> int64 token ids on the CPU (the host's copy: the draws and the selection are host work, so the step never waits for the device).</param>
    /// <param name="padId">Id of [PAD]; never selected.</param>
    /// <param name="clsId">Id of [CLS]; never selected.</param>
    /// <param name="maskId">Id of [MASK].</param>
    /// <param name="vocabSize">Vocabulary size V (<c>text_encoder.config.vocab_size</c>); random ids are drawn from [0, V).</param>
    /// <param name="keys">Keys of the B rows.</param>
    /// <param name="probability">Selection probability (<c>mlm_masking_prob</c>, 0.5 in the stage-2 configs).</param>
    /// <returns>The corrupted ids and the labels, both <c>[B, L]</c> int64 on the CPU.</returns>
    public static (Tensor InputIds, Tensor Labels) Mask(
        Tensor inputIds, long padId, long clsId, long maskId, int vocabSize, SampleKeys keys, double probability = 0.5)
    {
        bool onHost = inputIds.device_type == DeviceType.CPU;
        if (inputIds.dim() != 2 || inputIds.dtype != ScalarType.Int64 || inputIds.shape[0] != keys.Count || !onHost)
        {
            throw new ArgumentException(
                $"Expected int64 token ids [B, L] on the CPU with B = {keys.Count} keys, got {inputIds.dtype} [{string.Join(", ", inputIds.shape)}] on {inputIds.device}.", nameof(inputIds));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabSize, 1);
        if (probability is < 0 or > 1 || double.IsNaN(probability))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "A probability must lie in [0, 1].");
        }

        int batch = keys.Count;
        long length = inputIds.shape[1];
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var uniforms = new Tensor[batch];
        var words = new Tensor[batch];
        for (int row = 0; row < batch; row++)
        {
            using var generator = new Generator(keys.Key(row, Purpose));
            uniforms[row] = rand([3, length], ScalarType.Float32, generator: generator);               // [3, L]
            words[row] = randint(0, vocabSize, [length], ScalarType.Int64, generator: generator);      // [L]
        }
        var u = stack(uniforms);               // [B, 3, L]
        var randomWords = stack(words);        // [B, L]

        var selected = u.select(1, 0).lt(probability)
            .logical_and(inputIds.ne(padId))
            .logical_and(inputIds.ne(clsId));                                  // [B, L] bool
        var labels = inputIds.masked_fill(selected.logical_not(), IgnoreIndex); // [B, L] original id or −100
        var replaced = u.select(1, 1).lt(MaskShare).logical_and(selected);     // [B, L] bool → [MASK]
        var randomised = u.select(1, 2).lt(RandomShareOfRest)
            .logical_and(selected)
            .logical_and(replaced.logical_not());                              // [B, L] bool → random id
        var corrupted = inputIds.masked_fill(replaced, maskId);                // [B, L]
        corrupted = where(randomised, randomWords, corrupted);                 // [B, L]

        return (corrupted.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Mean cross-entropy over the selected positions (labels ≠ −100), as xbert's
    /// <c>BertForMaskedLM</c> (<c>CrossEntropyLoss()</c> on <c>[B·L, V]</c>, default mean,
    /// ignore index −100).
    /// </summary>
    /// <remarks>
    /// Computed as <c>Σ CE / max(count, 1)</c>, which equals the mean whenever a position is selected.
    /// When none is (possible: every token of every caption can miss the 50 % draw), torch's mean
    /// would be 0/0 = NaN and poison the step; this returns 0, still attached to the graph through
    /// the (empty) sum, so backward runs and gives the logits a zero gradient.
    /// </remarks>
    /// <param name="logits"><c>[B, L, V]</c> prediction scores.</param>
    /// <param name="labels"><c>[B, L]</c> int64, −100 where not scored.</param>
    /// <returns>0-d loss.</returns>
    public static Tensor Loss(Tensor logits, Tensor labels)
    {
        if (logits.dim() != 3 || labels.dim() != 2 || logits.shape[0] != labels.shape[0] || logits.shape[1] != labels.shape[1])
        {
            throw new ArgumentException(
                $"Expected logits [B, L, V] and labels [B, L], got [{string.Join(", ", logits.shape)}] and [{string.Join(", ", labels.shape)}].");
        }
        using var scope = NewDisposeScope();
        long vocab = logits.shape[2];
        // Autocast runs cross_entropy in fp32; do the same for half inputs.
        var scores = logits.dtype is ScalarType.Float16 or ScalarType.BFloat16 ? logits.to(ScalarType.Float32) : logits; // [B, L, V]
        var flatScores = scores.reshape(-1, vocab);                                          // [B·L, V]
        var flatLabels = labels.to(ScalarType.Int64, logits.device).reshape(-1);              // [B·L]
        var total = nn.functional.cross_entropy(
            flatScores, flatLabels, ignore_index: IgnoreIndex, reduction: nn.Reduction.Sum); // [] sum over selected
        var count = flatLabels.ne(IgnoreIndex).sum().to(total.dtype).clamp_min(1);          // [] selected positions, at least 1
        return (total / count).MoveToOuterDisposeScope();                                    // []
    }
}
