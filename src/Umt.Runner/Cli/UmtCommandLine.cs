using System.CommandLine;
using System.CommandLine.Help;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Umt.Runner.Engine;
using Umt.Runner.Engine.Checkpoints;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;
using Umt.Runner.Engine.Step;

namespace Umt.Runner.Cli;

/// <summary>
/// The <c>umt</c> command line (System.CommandLine). Every verb takes <c>--config FILE</c>
/// (repeatable) and <c>--set Key=Value</c> (repeatable). Exit codes: 0 success, 2 configuration or
/// usage error (readable message, no stack trace), 1 runtime failure.
/// </summary>
public static class UmtCommandLine
{
    private static readonly Option<string[]> ConfigOption = new("--config")
    {
        Description = "Overlay JSON file applied over plugins.json, in order (repeatable).",
        Recursive = true,
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<string[]> SetOption = new("--set")
    {
        Description = "Override one key, e.g. --set Umt:Masking:Use=tube (repeatable, applied last).",
        Recursive = true,
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<string?> RootOption = new("--repo")
    {
        Description = "Folder holding plugins.json (default: the current folder).",
        Recursive = true,
    };

    public static int Invoke(string[] args, TextWriter output, TextWriter error, CancellationToken cancel = default)
    {
        var parsed = Create(output, error, cancel).Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
            {
                error.WriteLine($"umt: {parseError.Message}");
            }
            error.WriteLine("Run 'umt --help' for usage.");
            return ExitCodes.ConfigurationError;
        }
        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }

    /// <summary>The whole command tree, every verb wired to <paramref name="output"/> and <paramref name="error"/>.</summary>
    public static Command Create(TextWriter output, TextWriter error, CancellationToken cancel = default)
    {
        // A command named "umt", not RootCommand: RootCommand takes its name from the executable
        // (Umt.Runner), and the usage line should read as the user types it. Help comes from a
        // HelpOption of our own, which RootCommand would otherwise add.
        var root = new Command("umt", "umt: Unmasked Teacher (UMT) and VideoMAE training on TorchSharp, composed from plugins.")
        {
            new HelpOption(),
        };
        root.Options.Add(ConfigOption);
        root.Options.Add(SetOption);
        root.Options.Add(RootOption);

        var resume = new Option<string?>("--resume")
        {
            Description = "Continue the run in Umt:Run:OutputDir from its latest complete checkpoint (a new run when it holds none yet), or from the checkpoint folder PATH.",
            HelpName = "PATH",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var stopAfter = new Option<long?>("--stop-after") { Description = "Stop with a checkpoint once this many steps are done; the schedule still spans Umt:Run:Steps (for preemptible jobs)." }.AtLeast(1L);
        var trainJson = new Option<bool>("--json") { Description = "Print the summary as one JSON object (README: JSON output)." };
        var train = new Command("train", "Train the configured run (default: the embedded synthetic benchmark).") { resume, stopAfter, trainJson };
        train.SetAction(parse => Guarded(parse, error, services =>
            TrainCommand.Run(services.GetRequiredService<RunPlan>(), services.GetRequiredService<IConfiguration>(), parse.GetResult(resume) is null ? null : new ResumeRequest(parse.GetValue(resume)), parse.GetValue(stopAfter),
                parse.GetValue(trainJson), output, error, cancel)));

        var json = new Option<bool>("--json") { Description = "Print one JSON array, an object per plugin (README: JSON output)." };
        var plugins = new Command("plugins", "List every plugin by kind with its description and options.") { json };
        plugins.SetAction(parse => Guarded(parse, error, services => PluginsCommand.Run(services.GetRequiredService<PluginCatalog>(), parse.GetValue(json), output)));

        root.Subcommands.Add(train);
        root.Subcommands.Add(ValidateCommand.Create(output, error, Guarded));
        root.Subcommands.Add(plugins);
        root.Subcommands.Add(BenchCommand.Create(output, error, Guarded));

        // `umt teacher ...`: the one place the group is built; each subcommand lives in its own file.
        var teacher = new Command("teacher", "Teachers: train and evaluate the tiny CLIP, extract features, write a random CLIP for smoke runs.");
        teacher.Subcommands.Add(TeacherTrainCommand.Create(output, error, Guarded, cancel));
        teacher.Subcommands.Add(TeacherEvalCommand.Create(output, error, Guarded));
        teacher.Subcommands.Add(TeacherFeaturesCommand.Create(output, error, Guarded));
        teacher.Subcommands.Add(TeacherInitCommand.Create(output, error, Guarded));
        root.Subcommands.Add(teacher);
        root.Subcommands.Add(MaskCommand.Create(output, error));
        root.Subcommands.Add(DataCommand.Create(output, error, cancel));
        root.Subcommands.Add(ExtractCommand.Create(output, error, cancel));
        root.Subcommands.Add(EvalCommand.Create(output, error, cancel));
        root.Subcommands.Add(CompareCommand.Create(output, error, cancel));
        root.Subcommands.Add(FinetuneCommand.Create(output, error, cancel));
        root.Subcommands.Add(ConvertCommand.Create(output, error, Guarded));
        root.Subcommands.Add(DistributedCommand.Create(output, error, Guarded));
        root.Subcommands.Add(DoctorCommand.Create(output, error, Guarded));
        root.Subcommands.Add(CompletionCommand.Create(output));

        Placeholders.Apply(root);
        CommandExamples.AddTo(root);
        return root;
    }

    /// <summary>Builds the services for a verb and maps failures to exit codes and one readable message.</summary>
    public static int Guarded(ParseResult parse, TextWriter error, Func<ServiceProvider, int> action) =>
        GuardedWith(parse, error, build => action(build(arguments => arguments)));

    /// <summary>
    /// <see cref="Guarded"/> for verbs that layer configuration of their own (<c>data verify</c>
    /// points the dataset at its argument, <c>extract</c> and <c>eval</c> put the run's saved
    /// configuration under the user's): <paramref name="action"/> builds services from the user's
    /// arguments changed as it asks; every provider it builds is disposed here.
    /// </summary>
    public static int GuardedWith(ParseResult parse, TextWriter error, Func<ServicesBuilder, int> action)
    {
        var arguments = new CommonArguments(parse.GetValue(RootOption), parse.GetValue(ConfigOption) ?? [], parse.GetValue(SetOption) ?? []);
        var built = new List<ServiceProvider>();
        try
        {
            return action(change =>
            {
                var services = RunnerServices.Build(change(arguments));
                built.Add(services);
                return services;
            });
        }
        catch (ConfigurationException e)
        {
            error.WriteLine("umt: configuration error:");
            foreach (string message in e.Errors)
            {
                error.WriteLine($"  {message}");
            }
            return ExitCodes.ConfigurationError;
        }
        catch (TrainingDivergedException e)
        {
            error.WriteLine($"umt: {e.Message}");
            return ExitCodes.RuntimeFailure;
        }
        catch (Exception e)
        {
            // Any other failure is a runtime failure: one line, exit 1, never an unhandled crash.
            error.WriteLine($"umt: error: {e.Message}");
            if (Environment.GetEnvironmentVariable("UMT_TRACE") == "1")
            {
                error.WriteLine(e.ToString()); // UMT_TRACE=1: the stack trace, for bug reports
            }
            return ExitCodes.RuntimeFailure;
        }
        finally
        {
            foreach (var services in built)
            {
                services.Dispose();
            }
        }
    }
}
