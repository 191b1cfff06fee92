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
    /// any other view (a slice, a transpose, a column) gets its own compact copy, so a small
    /// tensor never keeps a large shared storage alive.
    /// </summary>
    public static Tensor Rebuild(TorchStorage storage, long offset, long[] size, long[] stride, Func<string, InvalidDataException> invalid)
    {
        if (size.Length != stride.Length)
        {
            throw invalid($"a tensor of storage '{storage.Key}' has {size.Length} sizes but {stride.Length} strides");
        }
        if (offset < 0 || size.Any(s => s < 0) || stride.Any(s => s < 0))
        {
            throw invalid($"a tensor of storage '{storage.Key}' has a negative offset, size or stride (offset {offset}, size [{string.Join(", ", size)}], stride [{string.Join(", ", stride)}])");
        }

        long numel = 1;
        long last = offset;   // the largest element index the view touches
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
            }
        }
        catch (OverflowException)
        {
            throw invalid($"a tensor of storage '{storage.Key}' has sizes or strides too large to address");
        }
        if (numel > 0 && last >= storage.Numel)
        {
            throw invalid($"a tensor of storage '{storage.Key}' (offset {offset}, size [{string.Join(", ", size)}], stride [{string.Join(", ", stride)}]) reaches element {last} of a storage of {storage.Numel} elements");
        }

        var view = storage.Data.as_strided(size, stride, numel > 0 ? offset : 0);
        if (!view.is_contiguous())
        {
            return view.contiguous();
        }
        return offset == 0 && numel == storage.Numel ? view : view.clone();
    }
}
