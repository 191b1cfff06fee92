using Microsoft.Extensions.Configuration;
using Serilog;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Datasets;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;
using Umt.Abstractions.Objectives;
using Umt.Abstractions.Teachers;
using Umt.Abstractions.TextEncoders;
using Umt.Models.Student;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Engine.Distributed;
using static TorchSharp.torch;

namespace Umt.Runner.Engine.Composition;

/// <summary>A selected plugin with its bound, validated options.</summary>
/// <param name="OptionsPath">Configuration path of its options (<c>Umt:Masking:Options:tube</c>).</param>
public sealed record SelectedPlugin(PluginEntry Entry, object Options, string OptionsPath);

/// <summary>A selected objective: weight &gt; 0, bound options, declared needs.</summary>
public sealed record SelectedObjective(PluginEntry Entry, double Weight, object Options, string OptionsPath, ObjectiveTraits Traits);

/// <summary>
/// The resolved plugin graph of a run: every selection bound and checked, nothing allocated.
/// Produced by <see cref="RunPlanner"/>; <c>umt validate</c> prints it, <c>umt train</c> runs it.
/// </summary>
public sealed class RunPlan
{
    public required IConfiguration Configuration { get; init; }

    public required string BaseDirectory { get; init; }

    public required RunOptions Run { get; init; }

    public required OptimizerOptions Optimizer { get; init; }

    public required ModelOptions Model { get; init; }

    public required DistributedOptions Distributed { get; init; }

    /// <summary>This process's place in the job, as its launcher announced it (rank 0 of 1 without one).</summary>
    public required LaunchEnvironment Launch { get; init; }

    public required Stage2Options Stage2 { get; init; }

    public required StudentConfig StudentConfig { get; init; }

    public required StudentSpec Student { get; init; }

    public required Device Device { get; init; }

    public required SelectedPlugin Dataset { get; init; }

    public required DatasetInfo DatasetInfo { get; init; }

    /// <summary>The teacher, or null for <c>Umt:Teacher:Use = none</c>.</summary>
    public SelectedPlugin? Teacher { get; init; }

    public TeacherTraits? TeacherTraits { get; init; }

    public required SelectedPlugin Masking { get; init; }

    public required MaskingTraits MaskingTraits { get; init; }

    public required IReadOnlyList<SelectedObjective> Objectives { get; init; }

    /// <summary>The text encoder, or null when no enabled objective needs one (stage 1).</summary>
    public SelectedPlugin? TextEncoder { get; init; }

    public TextEncoderTraits? TextEncoderTraits { get; init; }

    /// <summary>
    /// The image-caption dataset whose batches alternate with the video batches (stage 2, the
    /// reference's MetaLoader), or null for a video-only run.
    /// </summary>
    public SelectedPlugin? ImageDataset { get; init; }

    public DatasetInfo? ImageDatasetInfo { get; init; }

    /// <summary>Masking of image batches (the reference's image_mask_ratio 0.5); the video masking when not configured.</summary>
    public required SelectedPlugin ImageMasking { get; init; }

    public required MaskingTraits ImageMaskingTraits { get; init; }

    /// <summary>Student blocks any objective reads, ascending.</summary>
    public required IReadOnlyList<int> StudentBlocks { get; init; }

    /// <summary>Teacher blocks the run asks for (the last K), ascending; empty without a teacher.</summary>
    public required IReadOnlyList<int> TeacherLayers { get; init; }

    public required TrainingSchedule Schedule { get; init; }

    /// <summary>Non-fatal findings (an Options key naming no known plugin).</summary>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>Where the run's outputs go.</summary>
    public string OutputDirectory => Path.GetFullPath(Run.OutputDir, BaseDirectory);

    /// <summary>What a factory may use when the run creates its plugin objects.</summary>
    public PluginContext PluginContext(ILogger log) => new(Device, Run.Seed, Student, log, BaseDirectory) { TextEncoder = TextEncoderTraits };

    /// <summary>Creates the configured dataset; the caller owns (disposes) it.</summary>
    public IVideoDataset CreateDataset(ILogger log) => Create(Dataset, log);

    /// <summary>Creates the image dataset, or null for a video-only run; the caller owns (disposes) it.</summary>
    public IVideoDataset? CreateImageDataset(ILogger log) => ImageDataset is { } images ? Create(images, log) : null;

    private IVideoDataset Create(SelectedPlugin dataset, ILogger log) => ((IVideoDatasetFactory)dataset.Entry.Factory).Create(dataset.Options, PluginContext(log));
}
