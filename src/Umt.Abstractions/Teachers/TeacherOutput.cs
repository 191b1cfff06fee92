using static TorchSharp.torch;

namespace Umt.Abstractions.Teachers;

/// <summary>What a teacher returns for one batch.</summary>
/// <param name="Features">Per-layer patch-token targets <c>[K, B, N, C]</c>, ascending block order, t-major tokens.</param>
/// <param name="Attention">Last block's head-averaged CLS→patch softmax attention <c>[B·T, P]</c>, fp32; null unless asked for.</param>
public sealed record TeacherOutput(Tensor Features, Tensor? Attention);
