namespace Umt.Abstractions.Teachers;

/// <summary>Facts about a configured teacher, checked before any tensor is allocated.</summary>
/// <param name="Depth">Number of blocks (K must not exceed it).</param>
/// <param name="GridSide">Patch tokens per side of one frame after the teacher's own input resize.</param>
/// <param name="OutputWidth">Width C of the returned features.</param>
/// <param name="ReturnsAttention">Can return CLS→patch attention (needed by <c>semantic</c> masking).</param>
public sealed record TeacherTraits(int Depth, int GridSide, int OutputWidth, bool ReturnsAttention);
