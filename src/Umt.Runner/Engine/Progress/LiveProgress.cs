using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Umt.Runner.Engine.Progress;

/// <summary>
/// Progress on an interactive terminal: one Spectre.Console bar on standard error with the count,
/// rate, elapsed time and ETA, redrawn in place. Spectre's display runs an action to completion,
/// while the loops report from their own code, so the display runs on a task of its own that
/// holds it open until <see cref="Dispose"/>.
/// </summary>
public sealed class LiveProgress : IProgressCounter
{
    private readonly string label;
    private readonly ProgressTask task;
    private readonly Task display;
    private readonly TaskCompletionSource finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LiveProgress(IAnsiConsole console, string label, long total, string unit)
    {
        this.label = label;
        var started = new TaskCompletionSource<ProgressTask>(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new CountColumn(unit), new RateColumn(unit), new ElapsedTimeColumn(), new RemainingTimeColumn());
        display = Task.Run(() => progress.Start(context =>
        {
            started.SetResult(context.AddTask(label, maxValue: Math.Max(1, total)));
            finished.Task.Wait();
        }));
        // A display that fails to start (Spectre refuses a second live display) ends its task
        // without a bar: rethrow its error rather than wait for a bar forever.
        Task.WaitAny(started.Task, display);
        if (!started.Task.IsCompleted)
        {
            display.GetAwaiter().GetResult();
        }
        task = started.Task.Result;
    }

    public void Report(long done, string? detail = null)
    {
        task.Value = done;
        task.Description = detail is null ? label : $"{label} {Markup.Escape(detail)}";
    }

    public void Dispose()
    {
        task.StopTask();
        finished.TrySetResult();
        display.GetAwaiter().GetResult();
    }

    /// <summary><c>done/total unit</c>: what a percentage alone does not say.</summary>
    private sealed class CountColumn(string unit) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(string.Create(CultureInfo.InvariantCulture, $"{task.Value:0}/{task.MaxValue:0} {unit}"));
    }

    /// <summary>Units per second over Spectre's recent samples.</summary>
    private sealed class RateColumn(string unit) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is { } speed ? string.Create(CultureInfo.InvariantCulture, $"{speed:G3} {unit}/s") : $"? {unit}/s");
    }
}
