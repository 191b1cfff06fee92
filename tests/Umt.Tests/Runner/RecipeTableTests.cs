using System.Globalization;
using Umt.Plugins.Datasets.Kinetics;
using Umt.Runner.Engine.Configuration;
using Umt.Tests.TestSupport;

namespace Umt.Tests.Runner;

/// <summary>
/// Every shipped paper recipe, resolved as <c>umt</c> resolves it (over plugins.json, with the
/// data overlay it is meant to run with), against a table transcribed from the reference script
/// it reproduces, so that an edit drifting from the paper fails here, naming each key that drifted.
/// </summary>
public sealed class RecipeTableTests
{
    /// <summary>One recipe's hyper-parameters as the reference script sets them (its defaults where it sets none).</summary>
    /// <param name="Reference">The reference file(s) each value comes from.</param>
    /// <param name="TeacherLayers">K, the teacher layers aligned; null without a teacher.</param>
    /// <param name="TeacherResolution">The CLIP teacher's input side; null without a teacher.</param>
    /// <param name="Sampling"><c>segments</c>: one frame per equal segment (TSN, the reference's <c>num_segments</c> / <c>sample_type rand</c>); <c>dense</c>: consecutive frames at a stride.</param>
    public sealed record Row(
        string Recipe, string[] Overlays, string Reference,
        string LrScaling, double Lr, double MinLr, string Schedule, int WarmupEpochs, int Epochs, int BatchSize, double[] Betas, double WeightDecay,
        string Preset, double DropPath, int Frames, int ImageSize, int Tubelet, string Masking, double MaskRatio, int? TeacherLayers, int? TeacherResolution,
        bool Flip, string Sampling);

    public static readonly Row[] Table =
    [
        new("umt-b16-k710.json", ["data-k710.json"],
            "unmasked_teacher single_modality/exp/pretraining/b16_ptk710_f8_res224.sh, with run_umt_pretraining.py's defaults (min_lr 1e-5, weight_decay 0.05)",
            LrScaling.Linear, 1.5e-4, 1e-5, ScheduleShapes.Cosine, WarmupEpochs: 40, Epochs: 201, BatchSize: 64, [0.9, 0.95], WeightDecay: 0.05,
            "base", DropPath: 0.1, Frames: 8, ImageSize: 224, Tubelet: 1, "semantic", MaskRatio: 0.8, TeacherLayers: 6, TeacherResolution: 224,
            Flip: true, Sampling: "segments"),
        new("umt-l16-k710.json", ["data-k710.json"],
            "unmasked_teacher single_modality/exp/pretraining/l16_ptk710_f8_res224.sh, with run_umt_pretraining.py's defaults (min_lr 1e-5, weight_decay 0.05)",
            LrScaling.Linear, 1.5e-4, 1e-5, ScheduleShapes.Cosine, WarmupEpochs: 40, Epochs: 201, BatchSize: 64, [0.9, 0.95], WeightDecay: 0.05,
            "large", DropPath: 0.2, Frames: 8, ImageSize: 224, Tubelet: 1, "semantic", MaskRatio: 0.8, TeacherLayers: 6, TeacherResolution: 196,
            Flip: true, Sampling: "segments"),
        new("umt-stage2-b16.json", ["data-webvid.json"],
            "unmasked_teacher multi_modality/exp/pretraining/b16_25m.py (optimizer, scheduler with min_lr_multi 0.01, inputs, vision_encoder) "
            + "run by tasks/pretrain.py with utils/scheduler.py; flip from dataset/__init__.py's train_transform",
            LrScaling.None, 1e-4, 1e-6, ScheduleShapes.FlooredCosine, WarmupEpochs: 1, Epochs: 10, BatchSize: 128, [0.9, 0.999], WeightDecay: 0.02,
            "base", DropPath: 0.1, Frames: 4, ImageSize: 224, Tubelet: 1, "semantic", MaskRatio: 0.8, TeacherLayers: 6, TeacherResolution: 224,
            Flip: true, Sampling: "segments"),
        new("videomae-b16.json", ["data-k400.json"],
            "VideoMAE scripts/kinetics/videomae_vit_base_patch16_224_tubemasking_ratio_0.9_epoch_800/pretrain.sh, with run_mae_pretraining.py's defaults "
            + "(lr 1.5e-4, min_lr 1e-5, weight_decay 0.05, drop_path 0.0; its pretraining augmentation has no flip)",
            LrScaling.Linear, 1.5e-4, 1e-5, ScheduleShapes.Cosine, WarmupEpochs: 40, Epochs: 801, BatchSize: 32, [0.9, 0.95], WeightDecay: 0.05,
            "base", DropPath: 0.0, Frames: 16, ImageSize: 224, Tubelet: 2, "tube", MaskRatio: 0.9, TeacherLayers: null, TeacherResolution: null,
            Flip: false, Sampling: "dense"),
    ];

    /// <summary>Shipped configurations that are not a paper recipe, and why.</summary>
    private static readonly Dictionary<string, string> NotPaperRecipes = new()
    {
        ["videomae.json"] = "the baseline of the embedded synthetic benchmark (tiny student, 64²)",
        ["umt-stage2.json"] = "stage 2 on the embedded synthetic benchmark (tiny student, MiniLM)",
        ["teacher-tiny-clip.json"] = "this project's tiny teacher, no reference counterpart",
        ["data-k400.json"] = "a data overlay",
        ["data-k710.json"] = "a data overlay",
        ["data-webvid.json"] = "a data overlay",
    };

    [Fact]
    public void Every_shipped_configuration_is_a_table_row_or_named_as_no_paper_recipe()
    {
        var shipped = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "configs"), "*.json").Select(Path.GetFileName).Order();

        shipped.Should().BeEquivalentTo(Table.Select(r => r.Recipe).Concat(NotPaperRecipes.Keys),
            "a new recipe needs a row transcribed from its reference script (or a reason it has none)");
    }

    [Theory]
    [InlineData("umt-b16-k710.json")]
    [InlineData("umt-l16-k710.json")]
    [InlineData("umt-stage2-b16.json")]
    [InlineData("videomae-b16.json")]
    public void The_recipe_resolves_to_its_reference_scripts_hyper_parameters(string recipe)
    {
        var row = Table.Single(r => r.Recipe == recipe);
        var configuration = ConfigurationLayers.Build(RepositoryPaths.Root, [$"configs/{recipe}", .. row.Overlays.Select(o => $"configs/{o}")], []);
        var errors = new List<string>();
        var umt = configuration.GetSection("Umt");
        var run = StrictOptionsBinder.Bind<RunOptions>(umt.GetSection("Run"), errors);
        var optimizer = StrictOptionsBinder.Bind<OptimizerOptions>(umt.GetSection("Optimizer"), errors);
        var model = StrictOptionsBinder.Bind<ModelOptions>(umt.GetSection("Model"), errors);
        errors.Should().BeEmpty();

        string masking = umt["Masking:Use"]!;
        string dataset = umt["Dataset:Use"]!;
        bool alignment = Number(umt["Objectives:umt-alignment:Weight"]) > 0;
        var resolved = row with
        {
            LrScaling = optimizer.LrScaling, Lr = optimizer.Lr, MinLr = optimizer.MinLr, Schedule = optimizer.Schedule,
            WarmupEpochs = run.WarmupEpochs ?? -1, Epochs = run.Epochs ?? -1, BatchSize = run.BatchSize, Betas = optimizer.Betas, WeightDecay = optimizer.WeightDecay,
            Preset = model.Preset, DropPath = model.DropPath, Frames = model.Frames, ImageSize = model.ImageSize, Tubelet = model.Tubelet,
            Masking = masking, MaskRatio = Number(umt[$"Masking:Options:{masking}:Ratio"]),
            TeacherLayers = alignment ? (int)Number(umt["Objectives:umt-alignment:Options:Layers"]) : null,
            TeacherResolution = umt["Teacher:Use"] == "clip" ? (int)Number(umt["Teacher:Options:clip:InputResolution"]) : null,
            // Unset keys are the dataset options' own defaults, as the binder leaves them.
            Flip = umt[$"Dataset:Options:{dataset}:Flip"] is { } flip ? bool.Parse(flip) : new KineticsOptions().Flip,
            Sampling = umt[$"Dataset:Options:{dataset}:Sampling"] ?? "segments",
        };

        string.Join("; ", Differences(row, resolved)).Should().BeEmpty($"configs/{recipe} should match {row.Reference}");
        run.Steps.Should().BeNull("a recipe's length is its epochs");
        optimizer.WarmupLr.Should().Be(0, "neither reference script passes a warm-up start to its pretraining schedule");
        optimizer.AccumulateSteps.Should().Be(1, "the reference scripts accumulate nothing");
    }

    private static double Number(string? text) => text is null ? double.NaN : double.Parse(text, CultureInfo.InvariantCulture);

    private static List<string> Differences(Row expected, Row actual) =>
        typeof(Row).GetProperties()
            .Where(p => p.Name is not (nameof(Row.Recipe) or nameof(Row.Overlays) or nameof(Row.Reference)))
            .Select(p => (p.Name, Expected: Show(p.GetValue(expected)), Actual: Show(p.GetValue(actual))))
            .Where(d => d.Expected != d.Actual)
            .Select(d => $"{d.Name}: reference {d.Expected}, configured {d.Actual}")
            .ToList();

    private static string Show(object? value) => value switch
    {
        null => "none",
        double[] values => $"[{string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}]",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };
}
