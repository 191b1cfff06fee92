using Umt.Abstractions.Distributed;
using Umt.Runner.Cli;
using Umt.Runner.Engine.Composition;
using Umt.Runner.Engine.Configuration;

namespace Umt.Runner.Engine.Distributed;

/// <summary>Starts the collectives <c>Umt:Distributed:Backend</c> names, and ends the whole job when one process fails.</summary>
public static class DistributedBackend
{
    public static ICollectives Start(RunPlan plan) => plan.Distributed.Backend switch
    {
        "single" => SingleProcessCollectives.Instance,
        "mpi" => MpiCollectives.Start(plan.Launch),
        string other => throw new ConfigurationException($"Umt:Distributed:Backend = '{other}' is not a backend; valid: single, mpi."),
    };

    /// <summary>
    /// Runs <paramref name="body"/>; in a job of several processes an exception is printed with the
    /// rank and ends every process through <see cref="ICollectives.Abort"/> (exit 2 for a
    /// configuration error, else 1), since the others would wait forever in their next collective.
    /// </summary>
    public static T RunOrAbort<T>(ICollectives collectives, TextWriter error, Func<T> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (collectives.WorldSize > 1)
        {
            error.WriteLine($"umt: rank {collectives.Rank} of {collectives.WorldSize} failed, ending the job:");
            foreach (string message in e is ConfigurationException c ? c.Errors : [e.Message])
            {
                error.WriteLine($"  {message}");
            }
            if (Environment.GetEnvironmentVariable("UMT_TRACE") == "1")
            {
                error.WriteLine(e.ToString());
            }
            error.Flush();
            collectives.Abort(e is ConfigurationException ? ExitCodes.ConfigurationError : ExitCodes.RuntimeFailure);
            throw; // not reached: Abort ends the process
        }
    }
}
