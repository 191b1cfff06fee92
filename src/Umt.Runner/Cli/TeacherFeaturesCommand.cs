using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Umt.Abstractions.Teachers;
using Umt.Models.Weights;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;
using static TorchSharp.torch;

namespace Umt.Runner.Cli;

/// <summary>
/// <c>umt teacher features --input X --out Y</c>: the configured teacher on one input, written as
/// safetensors with <c>features</c> <c>[K, B, N, C]</c> and <c>attention</c> <c>[B·T, P]</c>; K is the
/// run's (<c>Umt:Objectives:umt-alignment:Options:Layers</c>). For checking a teacher port
/// against the reference, tensor by tensor.
/// </summary>
public static class TeacherFeaturesCommand
{
    /// <summary>Name of the input tensor: normalised clips <c>[B, 3, T, H, W]</c>, float32.</summary>
    public const string VideoKey = "video";

    public static Command Create(TextWriter output, TextWriter error, Func<ParseResult, TextWriter, Func<ServiceProvider, int>, int> guarded)
    {
        var input = new Option<string>("--input") { Description = $"safetensors file holding '{VideoKey}' [B, 3, T, H, W] float32, already ImageNet-normalised.", Required = true };
        var outPath = new Option<string>("--out") { Description = "Output safetensors file (features, attention).", Required = true };
        var features = new Command("features", "Run the configured teacher on a clip and write its features and attention.") { input, outPath };
        features.SetAction(parse => guarded(parse, error, services =>
        {
            var plan = services.GetRequiredService<RunPlan>();
            if (plan.Teacher is null)
            {
                throw new ConfigurationException([$"Umt:Teacher:Use is '{RunPlanner.NoTeacher}'; choose a teacher to extract features from."]);
            }
            if (plan.TeacherLayers.Count == 0)
            {
                throw new ConfigurationException(["No objective asks the teacher for layers; K comes from Umt:Objectives:umt-alignment:Options:Layers (enable umt-alignment with a Weight > 0)."]);
            }
            string inputPath = Path.GetFullPath(parse.GetValue(input)!);
            using var scope = NewDisposeScope();
            var video = ReadVideo(inputPath).to(plan.Device);                                   // [B, 3, T, H, W]
            using var teacher = ((ITeacherFactory)plan.Teacher.Entry.Factory).Create(plan.Teacher.Options, plan.PluginContext(services.GetRequiredService<ILogger>()));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var encoded = teacher.Encode(video, plan.TeacherLayers, withAttention: true);        // [K, B, N, C], [B·T, P]
            double encodeMs = clock.Elapsed.TotalMilliseconds;
            var tensors = new Dictionary<string, Tensor> { ["features"] = encoded.Features };
            if (encoded.Attention is { } attention)
            {
                tensors["attention"] = attention;
            }
            string path = Path.GetFullPath(parse.GetValue(outPath)!);
            SafetensorsFile.WriteAtomic(path, tensors, new Dictionary<string, string>
            {
                ["umt.teacher"] = plan.Teacher.Entry.Name,
                ["umt.layers"] = string.Join(",", plan.TeacherLayers),
                ["umt.input"] = inputPath,
            });
            output.WriteLine($"features [{string.Join(", ", encoded.Features.shape)}] (teacher blocks {string.Join(", ", plan.TeacherLayers)}), "
                + $"attention [{string.Join(", ", encoded.Attention?.shape ?? [])}] in {encodeMs:F0} ms (first call) → {path}");
            return ExitCodes.Success;
        }));
        return features;
    }

    private static Tensor ReadVideo(string path)
    {
        var tensors = SafetensorsFile.Read(path);
        if (!tensors.TryGetValue(VideoKey, out var video))
        {
            throw new InvalidDataException($"'{path}' has no tensor '{VideoKey}'; it holds {string.Join(", ", tensors.Keys)}.");
        }
        if (video.dim() != 5 || video.shape[1] != 3)
        {
            throw new InvalidDataException($"'{path}': '{VideoKey}' must be [B, 3, T, H, W], got [{string.Join(", ", video.shape)}].");
        }
        return video.to(ScalarType.Float32);
    }
}
