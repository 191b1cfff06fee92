using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Workflows.Data;

namespace Umt.Runner.Workflows.Finetuning;

/// <summary>
/// Configuration that points the run's dataset at a fine-tune's splits: the training split read
/// with the dataset's training augmentation, the held-out split in eval mode, and the held-out
/// split's test views.
/// </summary>
/// <param name="Name">The dataset plugin.</param>
/// <param name="TrainClips">Clips of the synthetic training split.</param>
/// <param name="TestClips">Clips of the synthetic held-out split.</param>
/// <param name="TrainManifest">Training split of a dataset of files.</param>
/// <param name="TestManifest">Held-out split of a dataset of files.</param>
/// <param name="Root">Media root of both manifests.</param>
public sealed record FinetuneData(string Name, int TrainClips, int TestClips, string? TrainManifest, string? TestManifest, string? Root)
{
    private const string Synthetic = "synthetic";

    /// <summary>The training split; a dataset of files in <c>Mode = train</c> (random frames and crops, flip as configured).</summary>
    public RunOverrides TrainSplit(ServiceProvider configured) =>
        Name == Synthetic
            ? new RunOverrides().SyntheticSplit("train", TrainClips)
            : DatasetOverrides.FromManifest(configured, TrainManifest ?? throw Missing("--train-manifest"), Root, Name).DatasetMode(Name, "train");

    /// <summary>The held-out split, never augmented.</summary>
    public RunOverrides TestSplit(ServiceProvider configured) =>
        Name == Synthetic
            ? new RunOverrides().SyntheticSplit("test", TestClips)
            : DatasetOverrides.FromManifest(configured, TestManifest ?? throw Missing("--test-manifest"), Root, Name);

    /// <summary>
    /// The test views, one configuration each (clips × crops, the reference's
    /// <c>test_num_segment × test_num_crop</c>): the file datasets read view (c, k) through their
    /// <c>TestClip</c>/<c>TestCrop</c> options. A synthetic clip is exactly T frames of the whole
    /// scene, so a second clip or crop would be the same pixels: more views are refused there rather than faked.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> Views(int clips, int crops)
    {
        if (clips * crops == 1)
        {
            return [[]];
        }
        if (Name == Synthetic)
        {
            throw new ConfigurationException(string.Create(CultureInfo.InvariantCulture,
                $"--test-clips {clips} --test-crops {crops}: a synthetic clip is exactly T frames of the whole scene, so it has one view; use --test-clips 1 --test-crops 1 (views apply to datasets of files)."));
        }
        return [.. from clip in Enumerable.Range(0, clips)
                   from crop in Enumerable.Range(0, crops)
                   select new RunOverrides().TestView(Name, clips, clip, crops, crop).Sets];
    }

    private ConfigurationException Missing(string option) => new($"{option} is required for the '{Name}' dataset.");
}
