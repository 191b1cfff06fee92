using Serilog;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Datasets;
using Umt.Abstractions.Geometry;
using Umt.Plugins.Datasets.Synthetic;
using Umt.Runner.Engine.Composition;
using static TorchSharp.torch;

namespace Umt.Runner.Workflows.TeacherTraining;

/// <summary>
/// The synthetic image-text data of the tiny teacher (<c>Images = true</c>: one frame, captions
/// like "a small red triangle", the main object's box), created through the <c>synthetic</c>
/// dataset's MEF factory as a training run would, but without a training plan: the teacher is
/// trained before any plan that names it can be valid.
/// </summary>
public static class SyntheticImages
{
    /// <summary>The dataset plugin the teacher is trained and evaluated on.</summary>
    public const string DatasetName = "synthetic";

    /// <summary>Creates <paramref name="count"/> images of <paramref name="split"/> (<c>train</c> or <c>test</c>).</summary>
    /// <param name="imageSize">Side in pixels; the patch only completes the geometry the factory validates.</param>
    public static IVideoDataset Create(PluginCatalog catalog, string split, int count, long dataSeed, int imageSize, int patchSize, string baseDirectory, ILogger log)
    {
        var entry = catalog.Find(PluginKind.Dataset, DatasetName)
            ?? throw new InvalidOperationException($"The '{DatasetName}' dataset plugin was not found; the tiny teacher is trained on it.");
        var factory = (IVideoDatasetFactory)entry.Factory;
        var options = new SyntheticOptions { Clips = count, Seed = dataSeed, Split = split, Images = true };
        // Width, depth and heads describe a student and mean nothing to the dataset; frames are 1 in image mode.
        var student = new StudentSpec(Width: 0, Depth: 0, Heads: 0, Frames: 1, imageSize, patchSize, Tubelet: 1);
        return factory.Create(options, new PluginContext(CPU, dataSeed, student, log, baseDirectory));
    }

    /// <summary>True when the sample's caption says its main object is small.</summary>
    public static bool HasSmallObject(VideoSample sample) =>
        sample.Caption is { } caption && TinyClipVocabulary.Words(caption).Contains(SyntheticVocabulary.Name(SyntheticSize.Small), StringComparer.Ordinal);
}
