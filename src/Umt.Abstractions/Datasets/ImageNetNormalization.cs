namespace Umt.Abstractions.Datasets;

/// <summary>
/// ImageNet mean/std, the normalisation of every clip (student and teacher see the same tensor,
/// as the reference does: umt-method.md §2.2, "input normalisation").
/// </summary>
public static class ImageNetNormalization
{
    public static readonly float[] Mean = [0.485f, 0.456f, 0.406f];

    public static readonly float[] Std = [0.229f, 0.224f, 0.225f];
}
