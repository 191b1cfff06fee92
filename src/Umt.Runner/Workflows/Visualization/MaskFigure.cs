using ScottPlot;

namespace Umt.Runner.Workflows.Visualization;

/// <summary>
/// One figure of <c>umt mask</c>: a ScottPlot plot whose data area holds rows of frame panels
/// (one column per frame, one row per view of the clip), and where each panel lies, so a clip
/// pixel can be found in the saved PNG. Panel (row, t) spans x ∈ [t·(S+gap), t·(S+gap)+S] and
/// y ∈ [−row·(S+gap) − S, −row·(S+gap)] in plot units of one clip pixel; y grows upwards, so a
/// frame's top row is at the panel's top.
/// </summary>
public sealed class MaskFigure
{
    /// <summary>Screen pixels a frame panel aims for: 64² clips are too small to read at 1×.</summary>
    private const int PanelPixels = 150;

    private readonly int side;
    private readonly int gap;

    /// <param name="frames">Panels per row.</param>
    /// <param name="side">Frame side in clip pixels.</param>
    /// <param name="rows">The rows' labels, top to bottom.</param>
    public MaskFigure(int frames, int side, IReadOnlyList<string> rows)
    {
        this.side = side;
        gap = Math.Max(1, side / 16);
        // Room for the row labels on the left, the colour scale on the right, the title above and the legend below.
        Width = 190 + frames * (PanelPixels + 12) + 160;
        Height = 170 + rows.Count * (PanelPixels + 12);
        Plot.HideGrid();
        Plot.Axes.SetLimits(-gap, Left(frames - 1) + side + gap, Top(rows.Count - 1) - side - gap, gap);
        Plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, frames).Select(t => Left(t) + side / 2.0)], [.. Enumerable.Range(0, frames).Select(t => $"frame {t}")]);
        Plot.Axes.Left.SetTicks([.. Enumerable.Range(0, rows.Count).Select(r => Top(r) - side / 2.0)], [.. rows]);
    }

    public Plot Plot { get; } = new();

    /// <summary>PNG width in pixels.</summary>
    public int Width { get; }

    /// <summary>PNG height in pixels.</summary>
    public int Height { get; }

    /// <summary>Panel (row, t) in plot units.</summary>
    public CoordinateRect Panel(int row, int t) => new(Left(t), Left(t) + side, Top(row) - side, Top(row));

    /// <summary>The plot rectangle of the square of clip pixels [x, x+size) × [y, y+size) of panel (row, t), y from the frame's top.</summary>
    public CoordinateRect Square(int row, int t, int x, int y, int size) =>
        new(Left(t) + x, Left(t) + x + size, Top(row) - y - size, Top(row) - y);

    /// <summary>Writes the PNG (<see cref="Width"/> × <see cref="Height"/>) through a temporary file, so a reader never sees half a figure.</summary>
    public void Save(string path)
    {
        string partial = path + ".partial";
        Plot.SavePng(partial, Width, Height);
        File.Move(partial, path, overwrite: true);
    }

    /// <summary>
    /// The PNG pixel showing the centre of clip pixel (x, y) of panel (row, t); valid after
    /// <see cref="Save"/>, which lays the figure out.
    /// </summary>
    public (int X, int Y) PixelOf(int row, int t, double x, double y)
    {
        var pixel = Plot.GetPixel(new Coordinates(Left(t) + x + 0.5, Top(row) - y - 0.5));
        return ((int)MathF.Round(pixel.X), (int)MathF.Round(pixel.Y));
    }

    private double Left(int t) => t * (side + gap);

    private double Top(int row) => -row * (side + gap);
}
