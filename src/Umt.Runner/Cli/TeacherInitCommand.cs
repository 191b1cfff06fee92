using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using TorchSharp;
using Umt.Models.Clip;
using Umt.Models.Weights;
using Umt.Runner.Engine;

namespace Umt.Runner.Cli;

/// <summary>
/// <c>umt teacher init --preset b16|l14|tiny --out FILE</c>: a randomly initialised CLIP vision tower in
/// OpenAI's key layout (<c>visual.*</c>, safetensors), for smoke runs of the real recipes on a
/// machine without the published weights. It teaches nothing.
/// </summary>
public static class TeacherInitCommand
{
    public static Command Create(TextWriter output, TextWriter error, Func<ParseResult, TextWriter, Func<ServiceProvider, int>, int> guarded)
    {
        var preset = new Option<string>("--preset") { Description = "b16 (CLIP ViT-B/16), l14 (CLIP ViT-L/14) or tiny (the tiny-clip tower).", DefaultValueFactory = _ => "b16" };
        preset.AcceptOnlyFromAmong("b16", "l14", "tiny");
        var outPath = new Option<string>("--out") { Description = "Output safetensors file.", Required = true };
        var seed = new Option<long>("--seed") { Description = "Initialisation seed.", DefaultValueFactory = _ => 0 };
        var init = new Command("init", "Write a randomly initialised CLIP vision tower in OpenAI's layout (for smoke runs; it teaches nothing).") { preset, outPath, seed };
        init.SetAction(parse => guarded(parse, error, _ =>
        {
            var config = parse.GetValue(preset) switch
            {
                "l14" => ClipVisionConfig.L14,
                "tiny" => ClipVisionConfig.Tiny,
                _ => ClipVisionConfig.B16,
            };
            torch.manual_seed(parse.GetValue(seed));
            using var visual = new ClipVisionTransformer(config);
            var tensors = visual.state_dict().ToDictionary(kv => "visual." + kv.Key, kv => kv.Value);
            string path = Path.GetFullPath(parse.GetValue(outPath)!);
            SafetensorsFile.WriteAtomic(path, tensors, new Dictionary<string, string> { ["umt.note"] = "randomly initialised CLIP vision tower (umt teacher init)", ["umt.preset"] = parse.GetValue(preset)! });
            output.WriteLine($"Wrote a random CLIP {parse.GetValue(preset)} vision tower ({tensors.Count} tensors, OpenAI layout) to {path}");
            return ExitCodes.Success;
        }));
        return init;
    }
}
