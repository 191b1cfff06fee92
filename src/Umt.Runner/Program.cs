using Umt.Runner.Cli;

// Composition root: the command line builds the configuration, logger, plugin catalog and run
// plan through DI (RunnerServices) for the verb being run.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (!cancel.IsCancellationRequested)
    {
        e.Cancel = true; // first Ctrl+C: finish the step, write a checkpoint, exit 130
        cancel.Cancel();
        Console.Error.WriteLine("\numt: interrupt received; stopping after this step (Ctrl+C again to abort at once).");
    }
};
return UmtCommandLine.Invoke(args, Console.Out, Console.Error, cancel.Token);
