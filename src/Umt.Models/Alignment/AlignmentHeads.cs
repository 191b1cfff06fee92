using Umt.Abstractions.Masking;
using Umt.Models.Layers;
using static TorchSharp.torch;

namespace Umt.Models.Alignment;

/// <summary>
/// The student side of unmasked token alignment (umt-method.md §2.4): for each of the K aligned
/// blocks, the encoder's normed output plus the fixed sin-cos table at the visible positions
/// (the reference's <c>clip_pos_embed</c>, same formula and width as the encoder's table), then
/// that layer's <see cref="LinearDecoder"/>. The heads are registered as children <c>0</c>..<c>K−1</c>,
/// so under the prefix <c>clip_decoder.</c> the keys are the reference's
/// (<c>clip_decoder.{k}.head.weight</c>); the position table is not a state_dict entry, as in the reference.
/// </summary>
public sealed class AlignmentHeads : nn.Module
{
    private readonly LinearDecoder[] decoders;
    private readonly FixedPositionEmbedding positions;

    /// <summary>Creates K heads from the student's width to the teacher's.</summary>
    /// <param name="layers">K, aligned layers.</param>
    /// <param name="studentWidth">D.</param>
    /// <param name="teacherWidth">C.</param>
    /// <param name="tokens">N, tokens per clip (rows of the position table).</param>
    /// <param name="epsilon">The heads' LayerNorm epsilon (<see cref="LinearDecoder.Stage1Epsilon"/> or <see cref="LinearDecoder.Stage2Epsilon"/>).</param>
    public AlignmentHeads(int layers, long studentWidth, long teacherWidth, long tokens, double epsilon = LinearDecoder.Stage1Epsilon) : base("clip_decoder")
    {
        decoders = Enumerable.Range(0, layers).Select(_ => new LinearDecoder(studentWidth, teacherWidth, epsilon)).ToArray();
        for (int k = 0; k < layers; k++)
        {
            register_module(k.ToString(System.Globalization.CultureInfo.InvariantCulture), decoders[k]);
        }
        positions = new FixedPositionEmbedding(tokens, studentWidth);
        register_module("clip_pos_embed", positions); // holds no parameters: moves with .to(), saves nothing
    }

    /// <summary>K.</summary>
    public int Layers => decoders.Length;

    /// <summary>Per aligned layer, the unit-length predictions of the teacher's visible tokens.</summary>
    /// <param name="blocks">The K aligned blocks' normed outputs, ascending, each <c>[B, Nv, D]</c>.</param>
    /// <param name="selection">The step's visible token positions.</param>
    /// <returns><c>[K, B, Nv, C]</c>.</returns>
    public Tensor Forward(IReadOnlyList<Tensor> blocks, TokenSelection selection)
    {
        if (blocks.Count != decoders.Length)
        {
            throw new ArgumentException($"Expected {decoders.Length} aligned blocks, got {blocks.Count}.", nameof(blocks));
        }
        long batch = selection.Batch;
        // An image batch (N = P tokens) takes the first P rows, as the encoder's own table does.
        var table = positions.Rows.narrow(0, 0, selection.Tokens).unsqueeze(0).expand(batch, -1, -1); // [B, N, D]
        var visiblePositions = selection.Visible(table);                           // [B, Nv, D]
        var predictions = new Tensor[blocks.Count];
        for (int k = 0; k < blocks.Count; k++)
        {
            predictions[k] = decoders[k].call(blocks[k] + visiblePositions);       // [B, Nv, C]
        }
        return stack(predictions);                                                 // [K, B, Nv, C]
    }
}
