using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Filters;
using Serilog.Formatting.Compact;

namespace Umt.Runner.Engine.Logging;

/// <summary>
/// Serilog from the run's configuration: levels and overrides come from the <c>Serilog</c>
/// section of the same layered configuration (plugins.json, overlays, --set); the sinks are fixed
/// here: the console (standard error, so a verb's result on standard output stays parseable),
/// and for training a JSON-lines file in the run folder.
/// </summary>
public static class SerilogSetup
{
    public const string LogFileName = "log.jsonl";
    private const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}";

    /// <param name="runDirectory">When given, every event also goes to <c>log.jsonl</c> there.</param>
    /// <param name="metricsOnConsole">False while a progress bar owns the console: metric lines go to the file only.</param>
    public static Logger Create(IConfiguration configuration, string? runDirectory = null, bool metricsOnConsole = true)
    {
        var logger = new LoggerConfiguration()
            .ReadFrom.Configuration(configuration)
            .Enrich.FromLogContext()
            .WriteTo.Logger(console => console
                .Filter.ByExcluding(e => !metricsOnConsole && Matching.WithProperty("Metrics")(e))
                .WriteTo.Console(outputTemplate: ConsoleTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture,
                    standardErrorFromLevel: LogEventLevel.Verbose)); // logs on stderr, results (summaries, --json) on stdout
        if (runDirectory is not null)
        {
            Directory.CreateDirectory(runDirectory);
            logger = logger.WriteTo.File(new CompactJsonFormatter(), Path.Combine(runDirectory, LogFileName));
        }
        return logger.CreateLogger();
    }

    /// <summary>
    /// A process of a data-parallel job other than rank 0: warnings and errors on the console,
    /// tagged with the rank, and no file (rank 0 owns the run folder's log).
    /// </summary>
    public static Logger CreateForWorker(IConfiguration configuration, int rank) =>
        new LoggerConfiguration()
            .ReadFrom.Configuration(configuration)
            .MinimumLevel.Warning()
            .WriteTo.Console(outputTemplate: $"[{{Timestamp:HH:mm:ss}} {{Level:u3}}] rank {rank}: {{Message:lj}}{{NewLine}}{{Exception}}",
                formatProvider: System.Globalization.CultureInfo.InvariantCulture, standardErrorFromLevel: LogEventLevel.Verbose)
            .CreateLogger();
}
