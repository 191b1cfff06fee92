using System.Composition.Hosting;
using Serilog.Core;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Datasets;
using Umt.Abstractions.Geometry;
using Umt.Plugins.Datasets.Synthetic;
using static TorchSharp.torch;

namespace Umt.Tests.Datasets;

/// <summary>
/// Reaches the <c>synthetic</c> dataset the way the runner does: through its MEF export, by name,
/// with a plugin context carrying the student's frames and image size.
/// </summary>
internal static class SyntheticDatasetHarness
{
    private static readonly Lazy<IVideoDatasetFactory> Factory = new(FindFactory);

    public static IVideoDatasetFactory SyntheticFactory => Factory.Value;

    public static PluginContext Context(int frames = 8, int imageSize = 64) =>
        new(CPU, Seed: 1234, new StudentSpec(Width: 192, Depth: 12, Heads: 3, frames, imageSize, PatchSize: 8, Tubelet: 1),
            Logger.None, BaseDirectory: AppContext.BaseDirectory);

    public static IVideoDataset Create(SyntheticOptions? options = null, int frames = 8, int imageSize = 64) =>
        SyntheticFactory.Create(options ?? new SyntheticOptions(), Context(frames, imageSize));

    /// <summary>Pixel (c, t, y, x) of a <c>[3, T, H, W]</c> clip, back in [0, 1] units.</summary>
    public static float Denormalised(float[] pixels, int frames, int side, int c, int t, int y, int x) =>
        pixels[((c * frames + t) * side + y) * side + x] * ImageNetNormalization.Std[c] + ImageNetNormalization.Mean[c];

    /// <summary>The main object's box of frame t as (x0, y0, x1, y1) in [0, 1].</summary>
    public static (float X0, float Y0, float X1, float Y1) Box(VideoSample sample, int t) =>
        (sample.Boxes![4 * t], sample.Boxes[4 * t + 1], sample.Boxes[4 * t + 2], sample.Boxes[4 * t + 3]);

    public static (float X, float Y) Centre(VideoSample sample, int t)
    {
        var (x0, y0, x1, y1) = Box(sample, t);
        return ((x0 + x1) / 2, (y0 + y1) / 2);
    }

    public static float Area(VideoSample sample, int t)
    {
        var (x0, y0, x1, y1) = Box(sample, t);
        return (x1 - x0) * (y1 - y0);
    }

    public static SyntheticMotion Motion(VideoSample sample) => (SyntheticMotion)sample.Labels[SyntheticVocabulary.MotionLabel];

    private static IVideoDatasetFactory FindFactory()
    {
        using var container = new ContainerConfiguration().WithAssembly(typeof(SyntheticOptions).Assembly).CreateContainer();
        var exports = container.GetExports<Lazy<IVideoDatasetFactory, PluginMetadata>>();
        return exports.Single(export => export.Metadata.Name == "synthetic").Value;
    }
}
