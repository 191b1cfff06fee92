using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Umt.Runner.Benchmarks;
using Umt.Runner.Composition;

namespace Umt.Runner.Cli;

/// <summary><c>umt bench [--json] [--steps N] [--rounds N]</c>: a benchmark of the configured step (not a test).</summary>
public static class BenchCommand
{
    public static Command Create(TextWriter output, TextWriter error, Func<ParseResult, TextWriter, Func<ServiceProvider, int>, int> guarded)
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object on one line." };
        var steps = new Option<int>("--steps") { Description = "Configured steps in all; RSS growth is fitted over steps 100..N.", DefaultValueFactory = _ => 600 };
        var rounds = new Option<int>("--rounds") { Description = "Timing rounds of 5 configured + 5 hand-written steps.", DefaultValueFactory = _ => 8 };
        var bench = new Command("bench", "Benchmark the configured step against a hand-written TorchSharp step; report GFLOP/s and memory growth.") { json, steps, rounds };
        bench.SetAction(parse => guarded(parse, error, services =>
        {
            var result = new PipelineBenchmark(services.GetRequiredService<RunPlan>(), services.GetRequiredService<ILogger>())
                .Run(Math.Max(1, parse.GetValue(steps)), Math.Max(1, parse.GetValue(rounds)));
            output.WriteLine(parse.GetValue(json)
                ? JsonSerializer.Serialize(result)
                : JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Success;
        }));
        return bench;
    }
}
