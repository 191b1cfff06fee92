using System.Collections.Frozen;
using System.ComponentModel.DataAnnotations;
using Umt.Abstractions.Datasets;
using Umt.Abstractions.Geometry;

using Umt.Plugins.Datasets.Randomness;

namespace Umt.Plugins.Datasets.Synthetic;

/// <summary>
/// SyntheticActions as an <see cref="IVideoDataset"/>: clips rendered in memory on every read,
/// deterministic in (options seed, split, mode, index) (synthetic-benchmark.md). Holds no mutable
/// state, so <see cref="Read"/> is thread-safe.
/// </summary>
internal sealed class SyntheticVideoDataset : IVideoDataset
{
    // Smallest side at which a small object (diameter 0.18·side) still spans several pixels.
    internal const int MinimumImageSize = 32;

    // Key domains: a new rendering version must change this, never reuse old keys for new pixels.
    private static readonly ulong Domain = SplitMix64.Mix(0x53796E7468416331UL); // "SynthAc1"

    private static readonly IReadOnlyDictionary<string, int> VideoLabelSets = new Dictionary<string, int>
    {
        [SyntheticVocabulary.MotionLabel] = SyntheticVocabulary.MotionCount,
        [SyntheticVocabulary.AppearanceLabel] = SyntheticVocabulary.AppearanceCount,
    }.ToFrozenDictionary();

    private static readonly IReadOnlyDictionary<string, int> ImageLabelSets = new Dictionary<string, int>
    {
        [SyntheticVocabulary.AppearanceLabel] = SyntheticVocabulary.AppearanceCount,
    }.ToFrozenDictionary();

    // One immutable label dictionary per class combination, shared by every sample that has it.
    private static readonly IReadOnlyDictionary<string, int>[] VideoLabels = BuildVideoLabels();

    private static readonly IReadOnlyDictionary<string, int>[] ImageLabels = BuildImageLabels();

    private readonly SceneSettings settings;
    private readonly ulong datasetKey;
    private readonly int clips;

    /// <summary>Binds the dataset to validated options and the run's student geometry.</summary>
    public SyntheticVideoDataset(SyntheticOptions options, StudentSpec student)
    {
        Info = Describe(options, student);
        clips = options.Clips;
        // Options are copied, not kept: a later change to the bound object cannot change the data.
        settings = new SceneSettings(options.Images ? 1 : student.Frames, student.ImageSize, options.Clutter,
            options.CameraJitter, (float)options.Noise, options.Images);
        // Disjoint key spaces: the split and the mode are part of every clip's key, so test clips,
        // train clips and images are unrelated draws.
        datasetKey = DatasetKey(options);
    }

    public DatasetInfo Info { get; }

    /// <summary>
    /// The dataset's facts from options and geometry alone, without rendering: the factory's
    /// Describe. Validates both, so a bad value fails before any run starts.
    /// </summary>
    public static DatasetInfo Describe(SyntheticOptions options, StudentSpec student)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(student);
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        if (student.ImageSize < MinimumImageSize)
        {
            throw new ArgumentException($"The synthetic dataset needs Umt:Model:ImageSize ≥ {MinimumImageSize}, got {student.ImageSize}.", nameof(student));
        }
        if (student.Frames < 1)
        {
            throw new ArgumentException($"The synthetic dataset needs Umt:Model:Frames ≥ 1, got {student.Frames}.", nameof(student));
        }
        return new DatasetInfo(options.Clips, options.Images ? 1 : student.Frames, HasCaptions: true, options.Images ? ImageLabelSets : VideoLabelSets, HasBoxes: true);
    }

    /// <summary>
    /// Renders sample <paramref name="index"/>. <paramref name="augmentationKey"/> is ignored:
    /// SyntheticActions applies no augmentation, because a flip swaps left/right and the orbit
    /// directions and a crop can cut the object out of its box (synthetic-benchmark.md,
    /// "augmentation"); the same index always gives the same sample.
    /// </summary>
    public VideoSample Read(long index, ulong augmentationKey, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, clips);
        var scene = SyntheticScene.Sample(SplitMix64.Key(datasetKey, (ulong)index), settings);
        var pixels = new float[3 * settings.Frames * settings.Side * settings.Side];
        var boxes = new float[4 * settings.Frames];
        SyntheticActionsGenerator.Render(scene, pixels, boxes);

        int appearance = SyntheticVocabulary.Appearance(scene.Shape, scene.Colour);
        return settings.Images
            ? new VideoSample(pixels, ImageLabels[appearance], SyntheticCaption.Image(scene.Size, scene.Colour, scene.Shape), boxes)
            : new VideoSample(pixels, VideoLabels[appearance * SyntheticVocabulary.MotionCount + (int)scene.Motion],
                SyntheticCaption.Video(scene.Size, scene.Colour, scene.Shape, scene.Motion), boxes,
                Actors: KeyFrame(index, boxes, settings.Frames / 2, scene.Motion));
    }

    /// <summary>
    /// Name of clip <paramref name="index"/> as a video id: the file name <c>umt data synth</c> gives
    /// the clip, so its AVA-form CSVs and this dataset's detections name the same videos.
    /// </summary>
    public static string VideoId(long index) => $"clip_{index:D6}";

    /// <summary>The main object's box on frame <paramref name="frame"/> with its motion as its one action (the only actor: the distractor does not move).</summary>
    internal static KeyFrameActors KeyFrame(long index, float[] boxes, int frame, SyntheticMotion motion, int timestamp = 0) =>
        new(VideoId(index), timestamp,
            [new ActorBox(boxes[4 * frame], boxes[4 * frame + 1], boxes[4 * frame + 2], boxes[4 * frame + 3], 1f, [SyntheticVocabulary.ActionId(motion)])]);

    /// <summary>
    /// The attributes of sample <paramref name="index"/> (shape, colour, size, motion) without
    /// rendering it: they are the first draws of its key, whatever the geometry.
    /// </summary>
    internal static SyntheticScene Latent(SyntheticOptions options, long index) =>
        SyntheticScene.Sample(SplitMix64.Key(DatasetKey(options), (ulong)index),
            new SceneSettings(1, MinimumImageSize, Clutter: false, CameraJitter: false, Noise: 0, options.Images));

    private static ulong DatasetKey(SyntheticOptions options) =>
        SplitMix64.Key(Domain, unchecked((ulong)options.Seed), options.Split == "test" ? 1UL : 0UL, options.Images ? 1UL : 0UL);

    public void Dispose()
    {
        // Managed memory only.
    }

    private static IReadOnlyDictionary<string, int>[] BuildVideoLabels()
    {
        var labels = new IReadOnlyDictionary<string, int>[SyntheticVocabulary.AppearanceCount * SyntheticVocabulary.MotionCount];
        for (int appearance = 0; appearance < SyntheticVocabulary.AppearanceCount; appearance++)
        {
            for (int motion = 0; motion < SyntheticVocabulary.MotionCount; motion++)
            {
                labels[appearance * SyntheticVocabulary.MotionCount + motion] = new Dictionary<string, int>
                {
                    [SyntheticVocabulary.MotionLabel] = motion,
                    [SyntheticVocabulary.AppearanceLabel] = appearance,
                }.ToFrozenDictionary();
            }
        }
        return labels;
    }

    private static IReadOnlyDictionary<string, int>[] BuildImageLabels()
    {
        var labels = new IReadOnlyDictionary<string, int>[SyntheticVocabulary.AppearanceCount];
        for (int appearance = 0; appearance < SyntheticVocabulary.AppearanceCount; appearance++)
        {
            labels[appearance] = new Dictionary<string, int> { [SyntheticVocabulary.AppearanceLabel] = appearance }.ToFrozenDictionary();
        }
        return labels;
    }
}
