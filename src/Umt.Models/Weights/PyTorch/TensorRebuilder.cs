using static TorchSharp.torch;

namespace Umt.Models.Weights.PyTorch;

/// <summary>
/// <c>torch._utils._rebuild_tensor_v2</c> as data: a strided view of a storage (offset, sizes,
/// strides in elements), checked against the storage's bounds, then made contiguous.
/// </summary>
internal static class TensorRebuilder
{
    /// <summary>
    /// The tensor <paramref name="storage"/>[offset + Σ iᵢ·strideᵢ] for every index i &lt; size, as a
    /// contiguous CPU tensor of the storage's dtype. A view that is the whole storage shares it;
    /// any other view (a slice, a transpose, a column) gets its own compact copy, charged to
    /// <paramref name="budget"/>, so a small tensor never keeps a large shared storage alive.
    /// </summary>
    /// <remarks>
    /// Every dimension longer than 1 must have a stride ≥ 1: a stride-0 view (<c>expand</c>) would
    /// be materialised as a copy as large as its broadcast shape, which a one-element storage in a
    /// few hundred bytes of file can make gigabytes; a weight is never such a broadcast.
    /// </remarks>
    public static Tensor Rebuild(TorchStorage storage, long offset, long[] size, long[] stride, ArchiveByteBudget budget, Func<string, InvalidDataException> invalid)
    {
        var view = $"offset {offset}, size [{string.Join(", ", size)}], stride [{string.Join(", ", stride)}]";
        if (size.Length != stride.Length)
        {
            throw invalid($"a tensor of storage '{storage.Key}' has {size.Length} sizes but {stride.Length} strides");
        }
        if (offset < 0 || size.Any(s => s < 0) || stride.Any(s => s < 0))
        {
            throw invalid($"a tensor of storage '{storage.Key}' has a negative offset, size or stride ({view})");
        }
        for (var d = 0; d < size.Length; d++)
        {
            if (size[d] > 1 && stride[d] == 0)
            {
                throw invalid($"a tensor of storage '{storage.Key}' ({view}) has stride 0 on dimension {d} of size {size[d]}: an expanded " +
                    "(broadcast) view, which is never a weight and would be copied out to its full size; save tensor.contiguous() if it is meant to be one");
            }
        }

        long numel = 1;
        long last = offset;   // the largest element index the view touches
        long copyBytes;
        try
        {
            checked
            {
                foreach (var s in size)
                {
                    numel *= s;
                }
                for (var d = 0; d < size.Length && numel > 0; d++)
                {
                    last += (size[d] - 1) * stride[d];
                }
                copyBytes = numel * storage.Data.ElementSize;
            }
        }
        catch (OverflowException)
        {
            throw invalid($"a tensor of storage '{storage.Key}' has sizes or strides too large to address ({view})");
        }
        if (numel > 0 && last >= storage.Numel)
        {
            throw invalid($"a tensor of storage '{storage.Key}' ({view}) reaches element {last} of a storage of {storage.Numel} elements");
        }

        var strided = storage.Data.as_strided(size, stride, numel > 0 ? offset : 0);
        var contiguous = strided.is_contiguous();
        if (contiguous && offset == 0 && numel == storage.Numel)
        {
            return strided;
        }
        budget.Charge(copyBytes, $"copying a tensor of storage '{storage.Key}' (size [{string.Join(", ", size)}], stride [{string.Join(", ", stride)}])");
        return contiguous ? strided.clone() : strided.contiguous();
    }
}
