using Umt.Abstractions.Datasets;

namespace Umt.Plugin.Testing;

/// <summary>
/// A dataset delivers what <c>Describe</c> promised without reading media: samples of the declared
/// frames at the run's size, finite pixels, one label per declared label set in range, a caption
/// and boxes when it says it has them.
/// </summary>
internal static class DatasetContract
{
    public static void Check(string label, IVideoDatasetFactory factory, object options, ContractSettings settings)
    {
        var student = settings.DatasetStudent;
        var context = settings.Context(student);
        var info = factory.Describe(options, context);
        using var dataset = factory.Create(options, context);

        Contract.That(Equivalent(dataset.Info, info), label, "Describe must promise what Create delivers (its DatasetInfo)");
        Contract.That(info.Count > 0, label, "it must hold at least one sample");
        Contract.That(info.Frames >= 1 && info.Frames <= student.Frames, label, $"a sample must be a clip of the run's {student.Frames} frames or fewer, or a single image; it declares {info.Frames}");
        foreach (long index in new[] { 0L, info.Count - 1 })
        {
            var sample = dataset.Read(index, augmentationKey: 42);
            string at = $"sample {index}";
            Contract.That(sample.Pixels.Length == 3 * info.Frames * student.ImageSize * student.ImageSize, label,
                $"{at}: pixels must be [3, T, H, W] of the declared frames at the run's size ({3 * info.Frames * student.ImageSize * student.ImageSize} values), not {sample.Pixels.Length}");
            Contract.That(sample.Pixels.All(float.IsFinite), label, $"{at}: pixels must be finite");
            Contract.That(sample.Labels.Keys.Order().SequenceEqual(info.LabelSets.Keys.Order()), label, $"{at}: it must carry one label per declared label set ({string.Join(", ", info.LabelSets.Keys)})");
            foreach (var (set, value) in sample.Labels)
            {
                Contract.That(value >= 0 && value < info.LabelSets[set], label, $"{at}: label {set} = {value} must lie in [0, {info.LabelSets[set]})");
            }
            Contract.That(!info.HasCaptions || !string.IsNullOrWhiteSpace(sample.Caption), label, $"{at}: a dataset with captions must give every sample one");
            Contract.That(!info.HasBoxes || (sample.Boxes?.Length == info.Frames * 4 && sample.Boxes.All(v => v >= 0 && v <= 1)), label,
                $"{at}: boxes must be 4 values in [0, 1] per frame");
        }
    }

    private static bool Equivalent(DatasetInfo a, DatasetInfo b) =>
        a with { LabelSets = b.LabelSets } == b && a.LabelSets.Count == b.LabelSets.Count && a.LabelSets.All(pair => b.LabelSets.TryGetValue(pair.Key, out int n) && n == pair.Value);
}
