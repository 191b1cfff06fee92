using System.CommandLine;
using Umt.Runner.Engine;

namespace Umt.Runner.Cli;

/// <summary><c>umt completion bash</c>: prints the bash completion script of this very command line (<see cref="BashCompletion"/>).</summary>
public static class CompletionCommand
{
    public static Command Create(TextWriter output)
    {
        var bash = new Command("bash", "Print the bash completion script: source <(umt completion bash), or save it under /etc/bash_completion.d/umt.");
        bash.SetAction(parse =>
        {
            output.Write(BashCompletion.Script(parse.RootCommandResult.Command, "umt"));
            return ExitCodes.Success;
        });
        return new Command("completion", "Shell completion for umt, written from its command-line definition.") { bash };
    }
}
