using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Umt.Models.Weights;
using Umt.Runner.Engine;
using Umt.Runner.Engine.Checkpoints;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Engine.Model;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Workflows.Conversion;
using static TorchSharp.torch;

namespace Umt.Runner.Cli;

/// <summary>
/// <c>umt convert import SOURCE --out FILE</c> and <c>umt convert export CHECKPOINT --out FILE.pth</c>.
/// Import: a reference checkpoint (UMT stage 1 or 2, VideoMAE;
/// PyTorch <c>.pth</c> read as data, wrapped under <c>model</c>/<c>module</c> or not, or safetensors)
/// as this project's <c>model.safetensors</c>, checked key by key against the model the
/// configuration describes. Every key that is not imported is listed with the reason. Export: the
/// inverse renaming, written as <c>torch.save</c> would, so a run can move to the reference's code.
/// </summary>
public static class ConvertCommand
{
    public static Command Create(TextWriter output, TextWriter error, Func<ParseResult, TextWriter, Func<ServiceProvider, int>, int> guarded)
    {
        var convert = new Command("convert", "Move checkpoints between the reference's layout and this project's.");
        var json = new Option<bool>("--json") { Description = "Print one JSON object: what was written and every key not imported (README: JSON output)." };
        var exportJson = new Option<bool>("--json") { Description = "Print one JSON object: what was written (README: JSON output)." };
        var source = new Argument<string>("SOURCE") { Description = "The reference checkpoint (.pth/.pt/.bin read as data, or .safetensors)." };
        var outPath = new Option<string>("--out") { Description = "The model.safetensors to write (usable by --checkpoint, Umt:Stage2:From).", Required = true };
        var import = new Command("import", "Import a reference checkpoint into this project's keys for the configured model (--config/--set describe it): renamed keys, and every missing, unexpected, wrong-shaped, non-model and teacher key listed.")
        {
            source, outPath, json,
        };
        import.SetAction(parse => guarded(parse, error, services =>
        {
            var plan = services.GetRequiredService<RunPlan>();
            string from = Path.GetFullPath(parse.GetValue(source)!);
            if (!File.Exists(from))
            {
                throw new ConfigurationException($"SOURCE: '{from}' does not exist.");
            }
            using var model = TrainingModel.Create(plan, services.GetRequiredService<ILogger>(), withTeacher: false);
            using var scope = NewDisposeScope();
            var progress = new ProgressRenderer(error);
            ImportReport report;
            using (var reading = new ByteProgress(progress, "convert read", new FileInfo(from).Length))
            {
                report = CheckpointImport.Read(from, model.StateDict(), reading.Report);
                reading.Complete();
            }
            var human = CliJson.Human(parse.GetValue(json), output, error);
            Print(human, from, report);
            if (report.WrongShapes.Count > 0)
            {
                throw new ConfigurationException(
                    [$"{from} does not fit the configured model ({report.WrongShapes.Count} wrong-shaped keys); nothing was written. Check Umt:Model and the objectives' options against the checkpoint's run:",
                     .. report.WrongShapes.Select(w => $"  {w.Key}: model [{string.Join(", ", w.Model)}], file [{string.Join(", ", w.File)}]")]);
            }
            var student = report.Missing.Where(k => k.StartsWith(TrainingModel.StudentPrefix, StringComparison.Ordinal)).ToList();
            if (student.Count > 0)
            {
                throw new ConfigurationException($"{from} lacks {student.Count} of the student's keys ({string.Join(", ", student.Take(5))}{(student.Count > 5 ? ", …" : "")}); nothing was written.");
            }
            string to = Path.GetFullPath(parse.GetValue(outPath)!);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            using (var writing = new ByteProgress(progress, "convert write", SafetensorsFile.DataBytes(report.Imported)))
            {
                SafetensorsFile.WriteAtomic(to, report.Imported, new Dictionary<string, string> { ["umt.imported_from"] = from }, writing.Report);
            }
            human.WriteLine($"Wrote {report.Imported.Count} tensors to {to}");
            if (parse.GetValue(json))
            {
                CliJson.Write(output, new
                {
                    source = from, @out = to, tensors = report.Imported.Count, renamed = report.Renamed, missing = report.Missing,
                    unexpected = report.Unexpected, not_model = report.NotModel, teacher = report.Teacher,
                });
            }
            return ExitCodes.Success;
        }));
        convert.Subcommands.Add(import);

        var checkpoint = new Argument<string>("CHECKPOINT") { Description = "A run folder (its latest checkpoint), a checkpoint folder, or a model.safetensors." };
        var pthPath = new Option<string>("--out") { Description = "The .pth to write ({'model': state_dict}, or the bare state dict with --flat; loadable by torch.load).", Required = true };
        var flat = new Option<bool>("--flat")
        {
            Description = "Write the bare state dict instead of {'model': state_dict}: for loaders that pass torch.load's result straight to load_state_dict, "
                + "e.g. the reference's stage-2 vision_encoder.pretrained, which loads strict=False and would silently load nothing from a wrapped file.",
        };
        var export = new Command("export", "Export a checkpoint of this project in the reference's layout: a torch.save zip of {'model': state_dict} (--flat: the bare state dict) under the reference's key names (stage 2 nests the student under vision_encoder.).")
        {
            checkpoint, pthPath, flat, exportJson,
        };
        export.SetAction(parse => guarded(parse, error, _ =>
        {
            var reference = CheckpointReference.Resolve(parse.GetValue(checkpoint)!);
            using var scope = NewDisposeScope();
            var progress = new ProgressRenderer(error);
            Dictionary<string, Tensor> tensors;
            using (var reading = new ByteProgress(progress, "convert read", new FileInfo(reference.ModelFile).Length))
            {
                tensors = SafetensorsFile.Read(reference.ModelFile, reading.Report);
                reading.Complete();
            }
            bool stage2 = tensors.Keys.Any(ReferenceKeyMap.IsStage2);
            var renamed = tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => KeyValuePair.Create(ReferenceKeyMap.ToReference(kv.Key, stage2), kv.Value)).ToList();
            string to = Path.GetFullPath(parse.GetValue(pthPath)!);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            bool bare = parse.GetValue(flat);
            using (var writing = new ByteProgress(progress, "convert write", SafetensorsFile.DataBytes(tensors)))
            {
                Models.Weights.PyTorch.PyTorchCheckpointWriter.Write(to, renamed, bare ? null : "model", writing.Report);
            }
            int changed = renamed.Zip(tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal)).Count(p => p.First.Key != p.Second.Key);
            if (parse.GetValue(exportJson))
            {
                CliJson.Write(output, new { checkpoint = reference.ModelFile, @out = to, tensors = renamed.Count, renamed = changed, stage2, flat = bare });
                return ExitCodes.Success;
            }
            output.WriteLine($"Wrote {renamed.Count} tensors ({changed} under the reference's other names{(stage2 ? ", the student under vision_encoder." : "")}{(bare ? ", as a bare state dict" : "")}) from {reference.ModelFile} to {to}");
            return ExitCodes.Success;
        }));
        convert.Subcommands.Add(export);
        return convert;
    }

    private static void Print(TextWriter output, string from, ImportReport report)
    {
        output.WriteLine($"{from}: {report.Imported.Count} tensors fit the configured model ({report.Renamed.Count} under another name)");
        Section(output, "renamed", report.Renamed.Select(kv => $"{kv.Key} → {kv.Value}").ToList());
        Section(output, "missing (the model keeps its initialisation)", report.Missing);
        Section(output, "unexpected (no module of the configured model owns them; not written)", report.Unexpected);
        Section(output, "wrong shape", report.WrongShapes.Select(w => $"{w.Key}: model [{string.Join(", ", w.Model)}], file [{string.Join(", ", w.File)}]").ToList());
        Section(output, "not model weights (skipped)", report.NotModel);
        Section(output, "the reference's embedded frozen teacher (skipped: teachers load from their own files)", report.Teacher);
    }

    private static void Section(TextWriter output, string title, IReadOnlyList<string> lines)
    {
        if (lines.Count == 0)
        {
            return;
        }
        output.WriteLine($"  {title}: {lines.Count}");
        foreach (string line in lines)
        {
            output.WriteLine($"    {line}");
        }
    }
}
