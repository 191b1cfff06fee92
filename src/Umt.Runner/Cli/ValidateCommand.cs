using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Umt.Abstractions.Geometry;
using Umt.Runner.Engine.Composition;

namespace Umt.Runner.Cli;

/// <summary><c>umt validate [--json]</c>: resolves and checks the configuration and prints the plugin graph; allocates nothing.</summary>
public static class ValidateCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static Command Create(TextWriter output, TextWriter error, Func<ParseResult, TextWriter, Func<ServiceProvider, int>, int> guarded)
    {
        var json = new Option<bool>("--json") { Description = "Print the resolved schedule and the world size it assumed as one JSON object on one line." };
        var validate = new Command("validate", "Check the configuration and print the resolved plugin graph; allocates nothing.") { json };
        validate.SetAction(parse => guarded(parse, error, services =>
        {
            var plan = services.GetRequiredService<RunPlan>();
            return parse.GetValue(json) ? RunJson(plan, output) : Run(plan, output);
        }));
        return validate;
    }

    /// <summary>What a launcher script or a test checks before a job starts: the schedule as this process resolved it.</summary>
    public static int RunJson(RunPlan plan, TextWriter output)
    {
        output.WriteLine(JsonSerializer.Serialize(ValidationSummary.Of(plan)));
        return ExitCodes.Success;
    }

    public static int Run(RunPlan plan, TextWriter output)
    {
        output.WriteLine("Configuration is valid. Resolved plugin graph:");
        output.WriteLine($"  student   {plan.Model.Preset}: width {plan.Student.Width}, depth {plan.Student.Depth}, heads {plan.Student.Heads}; "
            + $"{plan.Student.Frames} frames × {plan.Student.ImageSize}², patch {plan.Student.PatchSize}, tubelet {plan.Student.Tubelet} → {plan.Student.Grid} = {plan.Student.Grid.Count} tokens; drop-path {plan.Model.DropPath}");
        Plugin(output, "dataset", plan.Dataset);
        output.WriteLine($"            {plan.DatasetInfo.Count} samples of {plan.DatasetInfo.Frames} frames, captions {(plan.DatasetInfo.HasCaptions ? "yes" : "no")}, labels {string.Join(", ", plan.DatasetInfo.LabelSets.Select(l => $"{l.Key} ({l.Value})"))}");
        if (plan.Teacher is { } teacher)
        {
            Plugin(output, "teacher", teacher);
            output.WriteLine($"            depth {plan.TeacherTraits!.Depth}, {plan.TeacherTraits.GridSide}×{plan.TeacherTraits.GridSide} tokens/frame, width {plan.TeacherTraits.OutputWidth}, layers [{string.Join(", ", plan.TeacherLayers)}]");
        }
        else
        {
            output.WriteLine($"  teacher   {RunPlanner.NoTeacher}");
        }
        Plugin(output, "masking", plan.Masking);
        output.WriteLine($"            {plan.MaskingTraits.VisiblePerClip(plan.Student.Grid)} of {plan.Student.Grid.Count} tokens visible per clip");
        foreach (var objective in plan.Objectives)
        {
            output.WriteLine($"  objective {objective.Entry.Name} × {objective.Weight} ({objective.Entry.AssemblyName}) {JsonSerializer.Serialize(objective.Options, objective.Options.GetType(), Json)}");
            output.WriteLine($"            reads student blocks [{string.Join(", ", objective.Traits.StudentBlocks)}]{(objective.Traits.NeedsTeacher ? $", {objective.Traits.TeacherLayers} teacher layers" : "")}");
        }
        if (plan.TextEncoder is { } textEncoder)
        {
            Plugin(output, "text", textEncoder);
            var t = plan.TextEncoderTraits!;
            output.WriteLine($"            width {t.Width}, {t.Layers} layers ({t.FusionLayer} text + {t.Layers - t.FusionLayer} fusion), vocabulary {t.VocabSize}, {t.MaxLength} tokens per caption");
            output.WriteLine($"  stage 2   joint space {plan.Stage2.EmbedDim}, temperature {plan.Stage2.Temperature}, student from {(string.IsNullOrEmpty(plan.Stage2.From) ? "random initialisation" : plan.Stage2.From)}");
        }
        if (plan.ImageDataset is { } images)
        {
            var imageGrid = new TokenGrid(1, plan.Student.Grid.H, plan.Student.Grid.W);
            Plugin(output, "images", images);
            output.WriteLine($"            {plan.ImageDatasetInfo!.Count} samples of {plan.ImageDatasetInfo.Frames} frame, captions {(plan.ImageDatasetInfo.HasCaptions ? "yes" : "no")}; batches alternate with the videos");
            Plugin(output, "masking", plan.ImageMasking);
            output.WriteLine($"            {plan.ImageMaskingTraits.VisiblePerClip(imageGrid)} of {imageGrid.Count} tokens visible per image");
        }
        var s = plan.Schedule;
        string processes = plan.Launch.WorldSize == 1 ? "" : $" × {plan.Launch.WorldSize} processes = {s.EffectiveBatch}";
        output.WriteLine($"  schedule  {s.TotalSteps} steps ({s.StepsPerEpoch}/epoch), warm-up {s.WarmupSteps}, batch {plan.Run.BatchSize} × {plan.Optimizer.AccumulateSteps} accumulation{processes}, "
            + $"lr {s.PeakLr:E3} → {s.MinLr:E3} ({s.Shape}, scaling {s.Scaling}), AdamW betas ({plan.Optimizer.Betas[0]}, {plan.Optimizer.Betas[1]}), weight decay {plan.Optimizer.WeightDecay}");
        output.WriteLine($"  run       seed {plan.Run.Seed}, device {plan.Device}, outputs {plan.OutputDirectory}");
        output.WriteLine($"  processes backend {plan.Distributed.Backend}, rank {plan.Launch.Rank} of {plan.Launch.WorldSize} (launcher: {plan.Launch.Launcher}), gradient buckets {plan.Distributed.BucketMegabytes} MB");
        foreach (string warning in plan.Warnings)
        {
            output.WriteLine($"warning: {warning}");
        }
        return ExitCodes.Success;
    }

    private static void Plugin(TextWriter output, string kind, SelectedPlugin plugin) =>
        output.WriteLine($"  {kind,-9} {plugin.Entry.Name} ({plugin.Entry.AssemblyName}) {JsonSerializer.Serialize(plugin.Options, plugin.Options.GetType(), Json)}");
}
