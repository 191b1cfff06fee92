using static TorchSharp.torch;

namespace Umt.Abstractions.Masking;

/// <summary>A masking strategy bound to its options for one run (plugin kind <c>masking</c>).</summary>
public interface IMaskingStrategy
{
    /// <summary>
    /// Mask for one batch: bool <c>[B, N]</c> on <see cref="MaskingInput.Device"/>, <b>true = hidden</b>
    /// from the student. Every row has exactly the same number of visible (false) entries, so the
    /// student can gather <c>[B, Nv, D]</c>. Created inside the caller's dispose scope.
    /// </summary>
    Tensor CreateMask(MaskingInput input);
}
