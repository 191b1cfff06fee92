using System.Globalization;
using ScottPlot;

namespace Umt.Runner.Workflows.Visualization;

/// <summary>
/// The figures of <c>umt mask</c>, drawn with ScottPlot (as the study's plots are): the frames of
/// one clip with the tokens a draw keeps visible outlined and the hidden ones dimmed, the
/// teacher's CLS attention laid over the same frames in the row below, and how often each token
/// stayed visible over all draws, each titled with the strategy, its ratio and the clip, with a
/// legend and a colour scale.
/// </summary>
public static class MaskFigures
{
    /// <summary>Outline of a kept token: yellow stands out on dimmed and on bright frames alike.</summary>
    private static readonly Color KeptOutline = new(255, 220, 0);

    /// <summary>Opacity of a heat map over its frame: the scene stays visible under the colours.</summary>
    private const double HeatOpacity = 0.6;

    /// <summary>
    /// Row 0: the frames with the kept tokens of one draw outlined and the hidden ones dimmed; row 1
    /// (when <paramref name="attention"/> is given): the teacher's CLS attention over each frame.
    /// </summary>
    /// <param name="clip">The clip.</param>
    /// <param name="strategy">The masking plugin's name.</param>
    /// <param name="hidden">One draw <c>[N]</c>, true = hidden.</param>
    /// <param name="attention">Per frame <c>[T·P]</c>, P = q² teacher patches of the frame; null without a teacher.</param>
    public static MaskFigure Masks(ClipFrames clip, string strategy, bool[] hidden, float[]? attention)
    {
        string[] rows = attention is null ? ["kept tokens"] : ["kept tokens", "teacher CLS attention"];
        var figure = new MaskFigure(clip.Frames, clip.Side, rows);
        var plot = figure.Plot;
        for (int t = 0; t < clip.Frames; t++)
        {
            plot.Add.ImageRect(clip.Frame(t, hidden), figure.Panel(0, t));
            for (int y = 0; y < clip.Side; y += clip.Patch)
            {
                for (int x = 0; x < clip.Side; x += clip.Patch)
                {
                    if (!hidden[clip.Token(t, y, x)])
                    {
                        var outline = plot.Add.Rectangle(figure.Square(0, t, x, y, clip.Patch));
                        outline.FillColor = Colors.Transparent;
                        outline.LineColor = KeptOutline;
                        outline.LineWidth = 2;
                    }
                }
            }
        }
        if (attention is not null)
        {
            int perFrame = attention.Length / clip.Frames, q = (int)Math.Round(Math.Sqrt(perFrame));
            HeatOverFrames(figure, 1, clip, t => Cells(attention, t * perFrame, q, q), new ScottPlot.Range(0, Math.Max(attention.Max(), 1e-12f)),
                "CLS attention (share of frame)");
        }
        int kept = hidden.Count(h => !h);
        plot.Title(string.Create(CultureInfo.InvariantCulture,
            $"{strategy} masking, ratio {(double)(hidden.Length - kept) / hidden.Length:0.00}: {kept} of {hidden.Length} tokens kept (draw 1), clip {clip.Name}"));
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "kept token (the student sees it)", LineColor = KeptOutline, LineWidth = 3, FillColor = Colors.Transparent });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "hidden token (dimmed)", LineColor = Colors.Gray, LineWidth = 1, FillColor = Colors.DarkGray });
        plot.ShowLegend(Edge.Bottom); // below the frames, not over them
        return figure;
    }

    /// <summary>How often each token stayed visible over <paramref name="draws"/> draws, over each frame.</summary>
    /// <param name="clip">The clip.</param>
    /// <param name="strategy">The masking plugin's name.</param>
    /// <param name="frequency">Per student token <c>[N]</c>, t-major: the share of draws that kept it.</param>
    /// <param name="draws">Draws behind the shares.</param>
    public static MaskFigure VisibleFrequency(ClipFrames clip, string strategy, float[] frequency, int draws)
    {
        var figure = new MaskFigure(clip.Frames, clip.Side, ["share of draws kept"]);
        var grid = clip.Grid;
        HeatOverFrames(figure, 0, clip, t => Cells(frequency, t / clip.Tubelet * grid.PerSlot, grid.H, grid.W), new ScottPlot.Range(0, 1),
            "share of draws kept");
        double mean = frequency.Average();
        figure.Plot.Title(string.Create(CultureInfo.InvariantCulture,
            $"{strategy} masking, ratio {1 - mean:0.00}: how often each token stayed visible over {draws} draws, clip {clip.Name}"));
        return figure;
    }

    /// <summary>Row <paramref name="row"/>: each frame with a heat map over it on a shared <paramref name="range"/>, and that range's colour scale.</summary>
    private static void HeatOverFrames(MaskFigure figure, int row, ClipFrames clip, Func<int, double[,]> cells, ScottPlot.Range range, string label)
    {
        var plot = figure.Plot;
        ScottPlot.Plottables.Heatmap? first = null;
        for (int t = 0; t < clip.Frames; t++)
        {
            plot.Add.ImageRect(clip.Frame(t), figure.Panel(row, t));
            var heat = plot.Add.Heatmap(cells(t));
            heat.Rectangle = figure.Panel(row, t);
            heat.ManualRange = range;
            heat.Colormap = new ScottPlot.Colormaps.Inferno();
            heat.Opacity = HeatOpacity;
            first ??= heat;
        }
        plot.Add.ColorBar(first!).Label = label;
    }

    /// <summary>Values [offset, offset + rows·columns) as a grid, row 0 at the top (the frame's top).</summary>
    private static double[,] Cells(float[] values, int offset, int rows, int columns)
    {
        var cells = new double[rows, columns];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                cells[r, c] = values[offset + r * columns + c];
            }
        }
        return cells;
    }
}
