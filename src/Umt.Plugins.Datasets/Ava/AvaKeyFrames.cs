namespace Umt.Plugins.Datasets.Ava;

/// <summary>Groups AVA rows per key frame, the unit both training (boxes of one clip) and the evaluation (one image) work on.</summary>
public static class AvaKeyFrames
{
    /// <summary>The rows of each key frame; key frames in order of first appearance, rows in file order (the evaluation's tie order follows it).</summary>
    public static ILookup<AvaKeyFrame, AvaBox> Group(IEnumerable<AvaBox> boxes) => boxes.ToLookup(b => b.KeyFrame);
}
