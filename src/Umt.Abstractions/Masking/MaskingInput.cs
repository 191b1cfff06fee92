using Umt.Abstractions.Geometry;
using Umt.Abstractions.Randomness;
using static TorchSharp.torch;

namespace Umt.Abstractions.Masking;

/// <summary>Everything a mask may depend on.</summary>
/// <param name="Grid">The student's token grid (N = T·H·W, t-major).</param>
/// <param name="Keys">Per-sample keys: all randomness of row b comes from <c>Keys</c> row b.</param>
/// <param name="Device">Device the mask is made on.</param>
/// <param name="TeacherAttention">The teacher's CLS→patch attention <c>[B·T, P]</c> fp32, when the strategy asked for it.</param>
public sealed record MaskingInput(TokenGrid Grid, SampleKeys Keys, Device Device, Tensor? TeacherAttention = null);
