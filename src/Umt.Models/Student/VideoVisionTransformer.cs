using TorchSharp.Modules;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.Masking;
using Umt.Models.Layers;
using static TorchSharp.torch;

namespace Umt.Models.Student;

/// <summary>
/// The student encoder: a plain video ViT without a CLS token, joint space-time attention over
/// tubelet tokens, and a fixed sin-cos position table over the flattened (t, h, w) index.
/// </summary>
/// <remarks>
/// Mirrors unmasked_teacher single_modality/models/modeling_pretrain_umt.py
/// <c>PretrainVisionTransformerEncoder</c> (and MCG-NJU/VideoMAE modeling_pretrain.py's encoder):
/// embed, keep the visible tokens, run the blocks on them only, and pass the outputs of the
/// requested blocks through the shared final <c>norm</c>. Field names are the reference's
/// checkpoint keys (the runner adds the <c>encoder.</c> prefix); <c>pos_embed</c> adds no key.
/// </remarks>
public sealed class VideoVisionTransformer
    : nn.Module<Tensor, TokenSelection, IReadOnlyList<int>, Tensor?, IReadOnlyDictionary<int, Tensor>>
{
    private readonly PatchEmbed3d patch_embed;
    private readonly FixedPositionEmbedding pos_embed;
    private readonly ModuleList<Block> blocks;
    private readonly LayerNorm norm;

    /// <summary>Creates a randomly initialised encoder as the reference initialises it.</summary>
    /// <param name="config">Size and input geometry.</param>
    /// <param name="pretrainedGrid">
    /// The token grid the weights were pre-trained at, when it differs from <paramref name="config"/>'s
    /// (fine-tuning at another frame count or resolution): the position table is then that grid's
    /// sin-cos table resized to this one, as the reference's fine-tuning model builds it
    /// (<see cref="PositionTableInterpolation"/>). Null: the table of this grid itself.
    /// </param>
    public VideoVisionTransformer(StudentConfig config, TokenGrid? pretrainedGrid = null) : base(nameof(VideoVisionTransformer))
    {
        config.Validate();
        Config = config;
        var grid = config.ToSpec().Grid;
        PretrainedGrid = pretrainedGrid ?? grid;

        patch_embed = new PatchEmbed3d(config.Width, config.Tubelet, config.PatchSize);
        pos_embed = PretrainedGrid == grid
            ? new FixedPositionEmbedding(grid.Count, config.Width)
            : new FixedPositionEmbedding(ResizedTable(PretrainedGrid, grid, config.Width));
        var rates = DropPathRates.Linear(config.DropPath, config.Depth);
        blocks = nn.ModuleList(rates.Select(rate => new Block(config.Width, config.Heads, config.MlpRatio, rate)).ToArray());
        norm = nn.LayerNorm(config.Width, eps: 1e-6);
        RegisterComponents();

        ReferenceInit.Apply(this);
    }

    /// <summary>The configuration the encoder was built from.</summary>
    public StudentConfig Config { get; }

    /// <summary>The grid whose sin-cos table the position table was made from (the encoder's own unless fine-tuning at another geometry).</summary>
    public TokenGrid PretrainedGrid { get; }

    /// <summary>The position table <c>[N, D]</c> added to the patch tokens.</summary>
    public Tensor PositionTable => pos_embed.Rows;

    /// <summary>Number of blocks.</summary>
    public int Depth => Config.Depth;

    /// <summary>Token width D.</summary>
    public int Width => Config.Width;

    /// <summary>Patch embedding plus position table for every token.</summary>
    /// <param name="video">
    /// Clips <c>[B, 3, T, H, W]</c> of the configured frames and size, or images as one-frame clips
    /// (<c>T = Tubelet = 1</c>, stage 2's image batches).
    /// </param>
    /// <returns>Tokens <c>[B, N, D]</c>, ordered (t, h, w) t-major.</returns>
    public Tensor Embed(Tensor video)
    {
        long[] clip = [3, Config.Frames, Config.ImageSize, Config.ImageSize];
        long[] image = [3, 1, Config.ImageSize, Config.ImageSize];
        bool isClip = video.dim() == 5 && video.shape.Skip(1).SequenceEqual(clip);
        bool isImage = video.dim() == 5 && Config.Tubelet == 1 && video.shape.Skip(1).SequenceEqual(image);
        if (!isClip && !isImage)
        {
            throw new ArgumentException(
                $"Expected clips [B, 3, {Config.Frames}, {Config.ImageSize}, {Config.ImageSize}]"
                + (Config.Tubelet == 1 ? $" or images [B, 3, 1, {Config.ImageSize}, {Config.ImageSize}]" : "")
                + $"; got [{string.Join(", ", video.shape)}].",
                nameof(video));
        }
        var tokens = patch_embed.call(video);                           // [B, N, D]
        // An image's table is the reference's separate img_pos_embed over P positions, which is
        // the same sin-cos formula over indices 0..P−1: the first P rows of the clip's table.
        return tokens + pos_embed.Rows.narrow(0, 0, tokens.shape[1]);   // [B, N, D]
    }

    private static Tensor ResizedTable(TokenGrid from, TokenGrid to, int width)
    {
        // The reference converts its float64 table to float32 before interpolating; so does this.
        using var table = SinCosPositionTable.Create(from.Count, width);               // [N_from, D]
        return PositionTableInterpolation.Resize(table, from, to);                       // [N_to, D]
    }

    /// <summary>Encodes the visible tokens of each clip (see <see cref="forward"/>).</summary>
    public IReadOnlyDictionary<int, Tensor> ForwardVisible(
        Tensor video, TokenSelection selection, IReadOnlyList<int> returnBlocks, Tensor? dropPathNoise) =>
        call(video, selection, returnBlocks, dropPathNoise);

    /// <param name="video">Clips <c>[B, 3, T, H, W]</c>.</param>
    /// <param name="selection">The step's visible and hidden token positions (<c>[B, N]</c> mask, true = hidden).</param>
    /// <param name="returnBlocks">Block indices (0-based) whose outputs to return.</param>
    /// <param name="dropPathNoise">Uniform [0, 1) draws <c>[B, Depth, 2]</c> (row i feeds block i's attention and MLP branches), or null for no drop-path.</param>
    /// <returns>Requested block index → its output after the shared final norm, <c>[B, Nv, D]</c>, visible tokens in ascending order; keys enumerate ascending.</returns>
    public override IReadOnlyDictionary<int, Tensor> forward(
        Tensor video, TokenSelection selection, IReadOnlyList<int> returnBlocks, Tensor? dropPathNoise)
    {
        var lastBlock = ValidateRequest(video.shape[0], returnBlocks, dropPathNoise);

        // Stage 1: embed every token, then keep the visible ones (hidden tokens never enter attention).
        var tokens = Embed(video);                                  // [B, N, D]
        var x = selection.Visible(tokens);                          // [B, Nv, D]

        // Stage 2: blocks. Stop after the last requested one: later blocks cannot affect any
        // returned tensor, so running them would only cost time (their parameters get no gradient).
        var outputs = new SortedDictionary<int, Tensor>();
        for (var i = 0; i <= lastBlock; i++)
        {
            var blockNoise = dropPathNoise?.select(1, i);           // [B, 2]
            x = blocks[i].call(x, blockNoise);                      // [B, Nv, D]
            if (returnBlocks.Contains(i))
            {
                outputs[i] = norm.call(x);                          // [B, Nv, D]
            }
        }
        return outputs;
    }

    private int ValidateRequest(long batch, IReadOnlyList<int> returnBlocks, Tensor? dropPathNoise)
    {
        if (returnBlocks.Count == 0)
        {
            throw new ArgumentException("Request at least one block output.", nameof(returnBlocks));
        }
        var outOfRange = returnBlocks.Where(i => i < 0 || i >= Depth).ToArray();
        if (outOfRange.Length > 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(returnBlocks), $"Blocks {string.Join(", ", outOfRange)} do not exist; the encoder has blocks 0..{Depth - 1}.");
        }
        if (dropPathNoise is not null && !dropPathNoise.shape.SequenceEqual([batch, Depth, 2]))
        {
            throw new ArgumentException(
                $"Drop-path noise must be [{batch}, {Depth}, 2]; got [{string.Join(", ", dropPathNoise.shape)}].", nameof(dropPathNoise));
        }
        return returnBlocks.Max();
    }
}
