using static TorchSharp.torch;

namespace Umt.Abstractions.Masking;

/// <summary>
/// One step's mask turned into token indices once, on the step's device, and handed to every
/// consumer (the student, the alignment heads, the objectives, the VideoMAE decoder), so none of
/// them reads the mask back to the host. The per-row counts are host numbers the caller already
/// knows (a masking's <see cref="MaskingTraits.VisiblePerClip"/>), never counted from the tensor:
/// the shapes of the step are static and selecting tokens needs no device synchronisation.
/// </summary>
/// <remarks>
/// Gathering at <see cref="VisibleIndices"/> picks the same values, in the same ascending token
/// order, as the reference's <c>x[~mask].reshape(B, -1, C)</c>, and <see cref="HiddenIndices"/>
/// those of <c>x[mask]</c>; the boolean index needs the number of true entries on the host
/// (a <c>nonzero</c>, one sync per consumer), the gather does not.
/// </remarks>
public sealed class TokenSelection
{
    private TokenSelection(Tensor mask, Tensor visibleIndices, Tensor hiddenIndices)
    {
        Mask = mask;
        VisibleIndices = visibleIndices;
        HiddenIndices = hiddenIndices;
    }

    /// <summary>Bool <c>[B, N]</c>, <b>true = hidden</b>.</summary>
    public Tensor Mask { get; }

    /// <summary>Int64 <c>[B, Nv]</c>: each row's visible token positions, ascending.</summary>
    public Tensor VisibleIndices { get; }

    /// <summary>Int64 <c>[B, Nm]</c>: each row's hidden token positions, ascending.</summary>
    public Tensor HiddenIndices { get; }

    /// <summary>Rows B.</summary>
    public long Batch => Mask.shape[0];

    /// <summary>Tokens per row N.</summary>
    public long Tokens => Mask.shape[1];

    /// <summary>Visible tokens per row Nv.</summary>
    public long VisiblePerRow => VisibleIndices.shape[1];

    /// <summary>Hidden tokens per row Nm = N − Nv.</summary>
    public long HiddenPerRow => HiddenIndices.shape[1];

    /// <summary>
    /// The selection of a mask whose every row keeps <paramref name="visiblePerRow"/> tokens visible,
    /// made on the mask's device without reading it back. The count is the caller's promise (every
    /// masking plugin keeps a fixed visible count per row by construction; <see cref="Verify"/> checks it once).
    /// </summary>
    /// <param name="mask">Bool <c>[B, N]</c>, true = hidden.</param>
    /// <param name="visiblePerRow">Nv, from the masking's traits.</param>
    public static TokenSelection FromMask(Tensor mask, long visiblePerRow)
    {
        CheckMask(mask);
        long tokens = mask.shape[1];
        if (visiblePerRow < 0 || visiblePerRow > tokens)
        {
            throw new ArgumentOutOfRangeException(nameof(visiblePerRow), $"{visiblePerRow} visible tokens per row do not fit rows of {tokens} tokens.");
        }
        // A stable sort of the 0/1 mask puts each row's visible positions (0) first and its hidden
        // ones (1) after, each group in ascending position: the orders of x[~mask] and x[mask].
        var order = mask.to(ScalarType.Byte).sort(dim: 1, stable: true).Indices;  // [B, N] int64
        return new TokenSelection(
            mask,
            order.narrow(1, 0, visiblePerRow),                                     // [B, Nv]
            order.narrow(1, visiblePerRow, tokens - visiblePerRow));               // [B, Nm]
    }

    /// <summary>
    /// The selection of a mask whose counts the caller does not know (evaluation, tests): counts
    /// the rows on the host (one device sync) and checks they agree. Not for the training step.
    /// </summary>
    /// <param name="mask">Bool <c>[B, N]</c>, true = hidden, the same hidden count in every row.</param>
    public static TokenSelection FromMask(Tensor mask)
    {
        CheckMask(mask);
        var (least, most) = VisibleCountRange(mask);
        if (least != most)
        {
            throw new ArgumentException($"Every mask row must keep the same number of tokens visible; rows keep between {least} and {most}.", nameof(mask));
        }
        return FromMask(mask, least);
    }

    /// <summary>
    /// Checks, with one read of the mask, that every row keeps exactly <see cref="VisiblePerRow"/>
    /// tokens visible: a masking plugin that breaks its traits' promise would otherwise mix hidden
    /// tokens into the visible ones silently. The training step calls it on its first step only.
    /// </summary>
    /// <param name="source">Names the mask's maker in the error.</param>
    public void Verify(string source)
    {
        var (least, most) = VisibleCountRange(Mask);
        if (least != VisiblePerRow || most != VisiblePerRow)
        {
            throw new InvalidOperationException(
                $"{source} promised {VisiblePerRow} visible tokens in every row of its mask, but its rows keep between {least} and {most}; "
                + "a masking must keep a fixed visible count per row (its traits' VisiblePerClip).");
        }
    }

    /// <summary>Tokens <c>[..., B, N, C]</c> at the visible positions: <c>[..., B, Nv, C]</c>, ascending.</summary>
    public Tensor Visible(Tensor tokens) => Gather(tokens, VisibleIndices);

    /// <summary>Tokens <c>[..., B, N, C]</c> at the hidden positions: <c>[..., B, Nm, C]</c>, ascending.</summary>
    public Tensor Hidden(Tensor tokens) => Gather(tokens, HiddenIndices);

    private Tensor Gather(Tensor tokens, Tensor indices)
    {
        long rank = tokens.dim();
        if (rank < 3 || tokens.shape[rank - 3] != Batch || tokens.shape[rank - 2] != Tokens)
        {
            throw new ArgumentException(
                $"Tokens must be [..., {Batch}, {Tokens}, C] to select with a [{Batch}, {Tokens}] mask; got [{string.Join(", ", tokens.shape)}].", nameof(tokens));
        }
        var shape = tokens.shape.ToArray();
        shape[rank - 2] = indices.shape[1];
        return tokens.gather(-2, indices.unsqueeze(-1).expand(shape));             // [..., B, Ns, C]
    }

    private static void CheckMask(Tensor mask)
    {
        if (mask.dtype != ScalarType.Bool || mask.dim() != 2)
        {
            throw new ArgumentException($"The mask must be bool [B, N] (true = hidden); got {mask.dtype} [{string.Join(", ", mask.shape)}].", nameof(mask));
        }
    }

    private static (long Least, long Most) VisibleCountRange(Tensor mask)
    {
        using var scope = NewDisposeScope();
        var visible = mask.logical_not().sum(1, type: ScalarType.Int64);           // [B]
        var extremes = stack([visible.min(), visible.max()]).cpu();                // [2]  one device sync
        return (extremes[0].item<long>(), extremes[1].item<long>());
    }
}
