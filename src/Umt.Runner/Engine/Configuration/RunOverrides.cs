using System.Globalization;
using Umt.Plugins.Datasets.MediaDatasets;
using Umt.Plugins.Datasets.Synthetic;

namespace Umt.Runner.Engine.Configuration;

/// <summary>
/// The configuration a workflow lays over a run to derive another (a fine-tune, a held-out split,
/// an extraction, a study's method): typed calls that spell each configuration key once, here or
/// as the bound option's property name, and produce the <c>Key=Value</c> list that
/// <see cref="ConfigurationLayers"/> reads as the last layer. Values are written in the invariant
/// culture, as a user's <c>--set</c> would be. Later calls win, as later <c>--set</c>s do.
/// </summary>
public sealed class RunOverrides
{
    private const string Run = "Umt:Run";
    private const string Optimizer = "Umt:Optimizer";
    private const string DatasetSection = "Umt:Dataset";
    private const string ImageDatasetSection = "Umt:ImageDataset";
    private const string MaskingSection = "Umt:Masking";
    private const string ImageMaskingSection = "Umt:ImageMasking";
    private const string TeacherSection = "Umt:Teacher";
    private const string Use = "Use";
    private const string Ratio = "Ratio";

    private readonly List<string> sets = [];

    /// <summary>The <c>Key=Value</c> list, in call order.</summary>
    public IReadOnlyList<string> Sets => sets;

    /// <summary>The escape hatch: one key the typed calls do not cover.</summary>
    public RunOverrides Set(string key, object value)
    {
        sets.Add($"{key}={Convert.ToString(value, CultureInfo.InvariantCulture)}");
        return this;
    }

    /// <summary>The dataset plugin <paramref name="name"/>.</summary>
    public RunOverrides Dataset(string name) => Set($"{DatasetSection}:{Use}", name);

    /// <summary>One option of the dataset plugin <paramref name="name"/> (<c>Umt:Dataset:Options:name:option</c>).</summary>
    public RunOverrides DatasetOption(string name, string option, object value) => Set($"{DatasetSection}:Options:{name}:{option}", value);

    /// <summary>The dataset of files <paramref name="name"/> on a manifest and its media root (absolute paths).</summary>
    public RunOverrides Manifest(string name, string manifest, string root) =>
        Dataset(name)
            .DatasetOption(name, nameof(MediaDatasetOptions.Manifest), Path.GetFullPath(manifest))
            .DatasetOption(name, nameof(MediaDatasetOptions.Root), Path.GetFullPath(root));

    /// <summary>A dataset of files' <c>Mode</c>: <c>train</c> (augmented) or <c>eval</c>.</summary>
    public RunOverrides DatasetMode(string name, string mode) => DatasetOption(name, nameof(MediaDatasetOptions.Mode), mode);

    /// <summary>One test view (clip <paramref name="clip"/> of <paramref name="clips"/>, crop <paramref name="crop"/> of <paramref name="crops"/>) of a dataset of files.</summary>
    public RunOverrides TestView(string name, int clips, int clip, int crops, int crop) =>
        DatasetOption(name, nameof(MediaDatasetOptions.TestClips), clips).DatasetOption(name, nameof(MediaDatasetOptions.TestClip), clip)
            .DatasetOption(name, nameof(MediaDatasetOptions.TestCrops), crops).DatasetOption(name, nameof(MediaDatasetOptions.TestCrop), crop);

    /// <summary>The synthetic dataset's <paramref name="split"/> of <paramref name="clips"/> clips.</summary>
    public RunOverrides SyntheticSplit(string split, int clips)
    {
        const string Synthetic = "synthetic";
        return Dataset(Synthetic).DatasetOption(Synthetic, nameof(SyntheticOptions.Split), split).DatasetOption(Synthetic, nameof(SyntheticOptions.Clips), clips);
    }

    /// <summary>The image dataset plugin, or <c>none</c>.</summary>
    public RunOverrides ImageDataset(string name) => Set($"{ImageDatasetSection}:{Use}", name);

    /// <summary>The masking plugin <paramref name="name"/> hiding <paramref name="ratio"/> of the tokens.</summary>
    public RunOverrides Masking(string name, double ratio) => Set($"{MaskingSection}:{Use}", name).Set($"{MaskingSection}:Options:{name}:{Ratio}", ratio);

    /// <summary>The image masking plugin <paramref name="name"/> hiding <paramref name="ratio"/> of the tokens.</summary>
    public RunOverrides ImageMasking(string name, double ratio) => Set($"{ImageMaskingSection}:{Use}", name).Set($"{ImageMaskingSection}:Options:{name}:{Ratio}", ratio);

    /// <summary>The teacher plugin, or <c>none</c>.</summary>
    public RunOverrides Teacher(string name) => Set($"{TeacherSection}:{Use}", name);

    /// <summary>The objective <paramref name="name"/>'s weight (0 turns it off).</summary>
    public RunOverrides Objective(string name, double weight) => Set($"Umt:Objectives:{name}:Weight", weight);

    /// <summary>The stage-2 run starts from this checkpoint.</summary>
    public RunOverrides Stage2From(string modelFile) => Set($"Umt:Stage2:{nameof(Stage2Options.From)}", modelFile);

    /// <summary>The student's drop-path rate.</summary>
    public RunOverrides DropPath(double rate) => Set($"Umt:Model:{nameof(ModelOptions.DropPath)}", rate);

    public RunOverrides Seed(long seed) => Set($"{Run}:{nameof(RunOptions.Seed)}", seed);

    public RunOverrides OutputDir(string folder) => Set($"{Run}:{nameof(RunOptions.OutputDir)}", folder);

    /// <summary>Optimizer steps, with <paramref name="warmup"/> of them warming up.</summary>
    public RunOverrides Steps(long steps, long warmup) => Set($"{Run}:{nameof(RunOptions.Steps)}", steps).Set($"{Run}:{nameof(RunOptions.WarmupSteps)}", warmup);

    public RunOverrides BatchSize(int batch) => Set($"{Run}:{nameof(RunOptions.BatchSize)}", batch);

    /// <summary>A checkpoint every <paramref name="every"/> steps, the last <paramref name="keep"/> kept.</summary>
    public RunOverrides Checkpoints(long every, int keep) => Set($"{Run}:{nameof(RunOptions.CheckpointEvery)}", every).Set($"{Run}:{nameof(RunOptions.KeepCheckpoints)}", keep);

    public RunOverrides LogEvery(int steps) => Set($"{Run}:{nameof(RunOptions.LogEvery)}", steps);

    public RunOverrides AccumulateSteps(int steps) => Set($"{Optimizer}:{nameof(OptimizerOptions.AccumulateSteps)}", steps);

    /// <summary>The rate schedule: peak and floor rates, how the peak scales with the batch (<see cref="Configuration.LrScaling"/>), the shape (<see cref="ScheduleShapes"/>) and the warm-up's starting rate.</summary>
    public RunOverrides Rates(double lr, double minLr, string scaling, string schedule, double warmupLr) =>
        Set($"{Optimizer}:{nameof(OptimizerOptions.Lr)}", lr).Set($"{Optimizer}:{nameof(OptimizerOptions.MinLr)}", minLr)
            .Set($"{Optimizer}:{nameof(OptimizerOptions.LrScaling)}", scaling).Set($"{Optimizer}:{nameof(OptimizerOptions.Schedule)}", schedule)
            .Set($"{Optimizer}:{nameof(OptimizerOptions.WarmupLr)}", warmupLr);

    /// <summary>AdamW's betas and weight decay.</summary>
    public RunOverrides AdamW(double beta1, double beta2, double weightDecay) =>
        Set($"{Optimizer}:{nameof(OptimizerOptions.Betas)}:0", beta1).Set($"{Optimizer}:{nameof(OptimizerOptions.Betas)}:1", beta2)
            .Set($"{Optimizer}:{nameof(OptimizerOptions.WeightDecay)}", weightDecay);
}
