using static TorchSharp.torch;

namespace Umt.Abstractions.Teachers;

/// <summary>A frozen teacher bound to its weights (plugin kind <c>teacher</c>): eval mode, no gradients.</summary>
public interface ITeacher : IDisposable
{
    /// <summary>
    /// Encodes whole (unmasked) clips.
    /// </summary>
    /// <param name="video">Normalised clips <c>[B, 3, T, H, W]</c>, the tensor the student sees; the teacher resizes internally.</param>
    /// <param name="layers">Teacher blocks to return, ascending (the last K blocks for alignment).</param>
    /// <param name="withAttention">Also return the last block's CLS→patch attention.</param>
    /// <returns>Tensors created in the caller's dispose scope, detached from autograd.</returns>
    TeacherOutput Encode(Tensor video, IReadOnlyList<int> layers, bool withAttention);
}
