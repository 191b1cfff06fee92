using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Umt.Runner.Engine;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Engine.Progress;
using Umt.Runner.Workflows.TeacherTraining;

namespace Umt.Runner.Cli;

/// <summary>
/// <c>umt teacher train</c>: trains the tiny CLIP teacher from <c>Umt:TeacherTraining</c> and
/// writes its weights. Needs no valid training plan: <c>plugins.json</c> may already name the
/// teacher whose weights this command is about to create.
/// </summary>
public static class TeacherTrainCommand
{
    /// <summary>The configuration section of the recipe.</summary>
    public const string Section = "Umt:TeacherTraining";

    public static Command Create(TextWriter output, TextWriter error, Func<ParseResult, TextWriter, Func<ServiceProvider, int>, int> guarded, CancellationToken cancel)
    {
        var train = new Command("train", $"Train the tiny CLIP teacher on synthetic images ({Section}; recipe: --config configs/teacher-tiny-clip.json).");
        train.SetAction(parse => guarded(parse, error, services =>
        {
            var options = Bind(services.GetRequiredService<IConfiguration>());
            var trainer = new TeacherTrainer(options, services.GetRequiredService<PluginCatalog>(),
                services.GetRequiredService<RunnerPaths>().BaseDirectory, services.GetRequiredService<ILogger>(), new ProgressRenderer(error));
            var result = trainer.Run(cancel);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""

                {(result.Output is null ? "Stopped early" : "Finished")}: {result.Steps} of {options.Steps} steps in {result.Elapsed:h\:mm\:ss} ({result.SecondsPerStep:F3} s/step)
                  loss {result.Loss:F4}, in-batch accuracy {result.Accuracy:F3}, temperature {result.Temperature:F4} (last {options.LogEvery} steps)
                  weights {result.Output ?? "not written"}
                  vocab   {result.Vocab}
                """));
            return result.Output is null ? ExitCodes.Interrupted : ExitCodes.Success;
        }));
        return train;
    }

    /// <summary>Binds and validates <c>Umt:TeacherTraining</c>; every problem is reported with its path.</summary>
    /// <exception cref="ConfigurationException">An unknown key or a bad value.</exception>
    public static TeacherTrainingOptions Bind(IConfiguration configuration)
    {
        var errors = new List<string>();
        var options = StrictOptionsBinder.Bind<TeacherTrainingOptions>(configuration.GetSection(Section), errors);
        if (errors.Count > 0)
        {
            throw new ConfigurationException(errors);
        }
        return options;
    }
}
