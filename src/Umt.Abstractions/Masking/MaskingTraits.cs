using Umt.Abstractions.Geometry;

namespace Umt.Abstractions.Masking;

/// <summary>Facts about a configured masking strategy, checked before any tensor is allocated.</summary>
/// <param name="NeedsTeacherAttention">The strategy reads <see cref="MaskingInput.TeacherAttention"/>.</param>
/// <param name="NeedsTubeletOne">Token slots must be single frames (teacher attention is per frame).</param>
/// <param name="VisiblePerClip">Visible tokens Nv per clip for a grid.</param>
public sealed record MaskingTraits(bool NeedsTeacherAttention, bool NeedsTubeletOne, Func<TokenGrid, int> VisiblePerClip);
