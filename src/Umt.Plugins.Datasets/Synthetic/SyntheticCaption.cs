namespace Umt.Plugins.Datasets.Synthetic;

/// <summary>
/// Caption text of SyntheticActions: "a small red triangle moving to the left" for clips and
/// "a small red triangle" for images. Every caption is built once (72 image captions, 720 clip
/// captions: synthetic-benchmark.md, "counts"), so reading a sample allocates no string and clips
/// with the same latent share one caption instance.
/// </summary>
public static class SyntheticCaption
{
    private static readonly string[] ImageCaptions = BuildImageCaptions();

    private static readonly string[] VideoCaptions = BuildVideoCaptions();

    /// <summary>All 72 image captions, in (shape, colour, size) order.</summary>
    public static IReadOnlyList<string> AllImageCaptions => ImageCaptions;

    /// <summary>All 720 clip captions, in (shape, colour, size, motion) order.</summary>
    public static IReadOnlyList<string> AllVideoCaptions => VideoCaptions;

    /// <summary>Caption of an image: no motion words.</summary>
    public static string Image(SyntheticSize size, SyntheticColour colour, SyntheticShape shape) =>
        ImageCaptions[ImageSlot(size, colour, shape)];

    /// <summary>Caption of a clip.</summary>
    public static string Video(SyntheticSize size, SyntheticColour colour, SyntheticShape shape, SyntheticMotion motion) =>
        VideoCaptions[ImageSlot(size, colour, shape) * SyntheticVocabulary.MotionCount + (int)motion];

    private static int ImageSlot(SyntheticSize size, SyntheticColour colour, SyntheticShape shape) =>
        SyntheticVocabulary.Appearance(shape, colour) * 2 + (int)size;

    private static string Compose(SyntheticSize size, SyntheticColour colour, SyntheticShape shape) =>
        $"a {SyntheticVocabulary.Name(size)} {SyntheticVocabulary.Name(colour)} {SyntheticVocabulary.Name(shape)}";

    private static string[] BuildImageCaptions()
    {
        var captions = new string[SyntheticVocabulary.AppearanceCount * 2];
        foreach (SyntheticShape shape in Enum.GetValues<SyntheticShape>())
        {
            foreach (SyntheticColour colour in Enum.GetValues<SyntheticColour>())
            {
                foreach (SyntheticSize size in Enum.GetValues<SyntheticSize>())
                {
                    captions[ImageSlot(size, colour, shape)] = Compose(size, colour, shape);
                }
            }
        }
        return captions;
    }

    private static string[] BuildVideoCaptions()
    {
        var captions = new string[SyntheticVocabulary.AppearanceCount * 2 * SyntheticVocabulary.MotionCount];
        foreach (SyntheticShape shape in Enum.GetValues<SyntheticShape>())
        {
            foreach (SyntheticColour colour in Enum.GetValues<SyntheticColour>())
            {
                foreach (SyntheticSize size in Enum.GetValues<SyntheticSize>())
                {
                    foreach (SyntheticMotion motion in Enum.GetValues<SyntheticMotion>())
                    {
                        captions[ImageSlot(size, colour, shape) * SyntheticVocabulary.MotionCount + (int)motion] =
                            $"{Compose(size, colour, shape)} {SyntheticVocabulary.Phrase(motion)}";
                    }
                }
            }
        }
        return captions;
    }
}
