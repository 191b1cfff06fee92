using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Umt.Runner.Engine;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Workflows.TeacherTraining;

namespace Umt.Runner.Cli;

/// <summary>
/// <c>umt teacher eval [--weights FILE] [--images N] [--json]</c>: zero-shot top-1 over the 72
/// image captions and the CLS→patch attention enrichment on held-out synthetic images
/// (<c>Split = test</c>). The default weights are <c>Umt:TeacherTraining:Output</c>, the asset.
/// </summary>
public static class TeacherEvalCommand
{
    public static Command Create(TextWriter output, TextWriter error, Func<ParseResult, TextWriter, Func<ServiceProvider, int>, int> guarded)
    {
        var weights = new Option<string?>("--weights") { Description = "CLIP weights in OpenAI's layout (default: Umt:TeacherTraining:Output, the committed asset)." };
        var images = new Option<int>("--images") { Description = "Held-out images (Split = test).", DefaultValueFactory = _ => 1000 }.AtLeast(1);
        var json = new Option<bool>("--json") { Description = "Print one JSON object on one line." };
        var eval = new Command("eval", "Evaluate a CLIP teacher on held-out synthetic images: zero-shot top-1 over the 72 captions and attention enrichment on small objects.") { weights, images, json };
        eval.SetAction(parse => guarded(parse, error, services =>
        {
            var options = TeacherTrainCommand.Bind(services.GetRequiredService<IConfiguration>());
            string baseDirectory = services.GetRequiredService<RunnerPaths>().BaseDirectory;
            string path = Path.GetFullPath(parse.GetValue(weights) ?? options.Output, baseDirectory);
            var log = services.GetRequiredService<ILogger>();
            if (options.Threads > 0)
            {
                TorchSharp.torch.set_num_threads(options.Threads);
            }

            using var teacher = TinyClipWeights.Load(path);
            int side = teacher.Model.Config.Vision.NativeResolution;
            using var heldOut = SyntheticImages.Create(services.GetRequiredService<PluginCatalog>(), "test", parse.GetValue(images), options.DataSeed, side,
                teacher.Model.Config.Vision.PatchSize, baseDirectory, log);
            var result = TeacherEvaluator.Evaluate(teacher.Model, teacher.Tokenizer, heldOut, Show(path, baseDirectory));
            if (parse.GetValue(json))
            {
                CliJson.Write(output, result);
            }
            else
            {
                output.WriteLine(Describe(result));
            }
            return ExitCodes.Success;
        }));
        return eval;
    }

    /// <summary>A path relative to the repository root when it lies inside it, else absolute.</summary>
    private static string Show(string path, string baseDirectory)
    {
        string relative = Path.GetRelativePath(baseDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }

    private static string Describe(TeacherEvaluation result) => string.Create(CultureInfo.InvariantCulture, $"""
        teacher {result.Weights}
          zero-shot top-1       {result.ZeroShotTop1:F3} over {result.Captions} captions on {result.Images} held-out images (chance {1.0 / result.Captions:F3})
          attention enrichment  {result.AttentionEnrichment:F2} (last block's CLS→patch attention share on the object's box / the box's share of the patches; mean over {result.SmallObjectImages} images with small objects; 1 = no preference)
        """);
}
