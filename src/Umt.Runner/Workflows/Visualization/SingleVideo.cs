using Umt.Plugins.Datasets.Kinetics;
using Umt.Runner.Engine.Configuration;

namespace Umt.Runner.Workflows.Visualization;

/// <summary>
/// One video file as a dataset of one clip, so <c>umt mask --video FILE</c> decodes it exactly as
/// the real-data loaders do (the <c>kinetics</c> dataset: ffmpeg or the decode workers, probing,
/// frame sampling, crop and resize) instead of with a decoder of its own: a one-row list manifest
/// in a temporary folder, the video's folder as the media root, evaluation mode (the middle frame
/// of each segment, centre crop, no flip) so the figure shows the same frames every time.
/// </summary>
public sealed class SingleVideo : IDisposable
{
    private const string Dataset = "kinetics";
    private readonly string folder;

    private SingleVideo(string video, string folder, RunOverrides overrides)
    {
        Video = video;
        this.folder = folder;
        Overrides = overrides;
    }

    /// <summary>The video as the user named it.</summary>
    public string Video { get; }

    /// <summary>The configuration that makes the run's dataset this one clip.</summary>
    public RunOverrides Overrides { get; }

    /// <summary>Writes the manifest for <paramref name="video"/>; a missing file or one without an extension is a usage error.</summary>
    public static SingleVideo Write(string video)
    {
        string path = Path.GetFullPath(video);
        if (!File.Exists(path))
        {
            throw new ConfigurationException($"--video: '{video}' does not exist.");
        }
        // The list reader appends .mp4 to a name without an extension (as the reference's lists do).
        if (Path.GetExtension(path).Length == 0)
        {
            throw new ConfigurationException($"--video: '{video}' has no file extension; rename it (e.g. clip.mp4) so the list reader takes the name as it is.");
        }
        string folder = Directory.CreateTempSubdirectory("umt-mask-").FullName;
        string manifest = Path.Combine(folder, "video.list");
        File.WriteAllText(manifest, $"{Path.GetFileName(path)} 0\n"); // label 0: the figures read no label
        var overrides = new RunOverrides().Manifest(Dataset, manifest, Path.GetDirectoryName(path)!)
            .DatasetMode(Dataset, "eval")
            .DatasetOption(Dataset, nameof(KineticsOptions.Format), "list");
        return new SingleVideo(video, folder, overrides);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
