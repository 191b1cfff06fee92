using System.Globalization;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;

namespace Umt.Runner.Workflows.Study;

/// <summary>
/// One pretraining method of the study (synthetic-benchmark.md, "The study"): the configuration it
/// adds over the user's, on top of plugins.json's embedded UMT run.
/// </summary>
/// <param name="Name">Row name in the report and folder name of its runs.</param>
/// <param name="Description">What the method is, for the report.</param>
/// <param name="Configs">Overlay files (relative to the repository root).</param>
/// <param name="Sets">Keys the method sets.</param>
public sealed record StudyRun(string Name, string Description, IReadOnlyList<string> Configs, IReadOnlyList<string> Sets)
{
    /// <summary>The user's arguments with this method and the study's budget for one seed layered last.</summary>
    public CommonArguments Arguments(CommonArguments user, StudySettings settings, long seed, string outputDirectory) => user with
    {
        Configs = [.. user.Configs, .. Configs],
        Sets = [.. user.Sets, .. Sets, .. settings.Budget(seed).OutputDir(outputDirectory).Sets, .. PixelTarget(settings)],
    };

    /// <summary>The baseline's pixel target where the settings depart from the reference's normalised one.</summary>
    private IEnumerable<string> PixelTarget(StudySettings settings) =>
        this == StudyRuns.VideoMae && !settings.BaselineNormalizedTarget ? [$"Umt:Objectives:{StudyRuns.PixelObjective}:Options:NormalizeTarget=false"] : [];
}

/// <summary>The study's table of methods and the names of its two reference rows.</summary>
public static class StudyRuns
{
    /// <summary>The VideoMAE baseline with its own recipe (configs/videomae.json: 16 frames, tubelet 2, tube 0.9, mae-pixels, no teacher).</summary>
    public static readonly StudyRun VideoMae = new("videomae", "VideoMAE baseline: tube 0.9, mae-pixels (16 frames, tubelet 2), no teacher", ["configs/videomae.json"], []);

    public static readonly StudyRun Semantic = Distilled("umt-semantic", "semantic");

    public static readonly StudyRun Random = Distilled("umt-random", "random");

    public static readonly StudyRun Tube = Distilled("umt-tube", "tube");

    /// <summary>Every trained method, the baseline first.</summary>
    public static IReadOnlyList<StudyRun> All { get; } = [VideoMae, Semantic, Random, Tube];

    /// <summary>The UMT methods, whose masks the mechanism check compares.</summary>
    public static IReadOnlyList<StudyRun> Distillations { get; } = [Semantic, Random, Tube];

    /// <summary>Reference row: the student as initialised by the seed, never trained (the step-0 student of every UMT run).</summary>
    public const string Floor = "floor (random init)";

    /// <summary>Reference row: the frozen tiny-clip teacher's last-block patch tokens averaged over patches and frames.</summary>
    public const string Ceiling = "ceiling (frozen teacher)";

    /// <summary>The baseline's objective (configs/videomae.json).</summary>
    public const string PixelObjective = "mae-pixels";

    /// <summary>The supervised references' method name in the cost table (one training per label set, each the same cost).</summary>
    public const string SupervisedMethod = "supervised";

    /// <summary>Reference row of the supervised student of one label set.</summary>
    public static string Supervised(string labelSet) => $"{SupervisedMethod} ({labelSet})";

    /// <summary>Folder name of the supervised runs of one label set.</summary>
    public static string SupervisedFolder(string labelSet) => $"{SupervisedMethod}-{labelSet}";

    /// <summary>UMT's masking ratio (the paper's 0.8), the same for every UMT masking so only the choice of tokens differs.</summary>
    private const double UmtRatio = 0.8;

    private static StudyRun Distilled(string name, string masking) => new(name,
        string.Create(CultureInfo.InvariantCulture, $"UMT: {masking} masking {UmtRatio}, umt-alignment to tiny-clip"), [],
        new RunOverrides().Masking(masking, UmtRatio).Sets);
}
