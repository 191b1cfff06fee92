using System.Composition;
using Umt.Abstractions.Composition;
using Umt.Abstractions.Geometry;
using Umt.Abstractions.Objectives;
using Umt.Models.Decoders;

namespace Umt.Plugins.Objectives.MaePixels;

[ExportObjective("mae-pixels", Description = "VideoMAE pixel reconstruction of the hidden tokens by a transformer decoder (MSE)."), Shared]
internal sealed class MaePixelsFactory : ObjectiveFactory<MaePixelsOptions>
{
    [ImportingConstructor, Obsolete("Constructed by MEF only.", error: true)]
    public MaePixelsFactory()
    {
    }

    protected override ObjectiveTraits Describe(MaePixelsOptions options, PluginContext context) =>
        new(StudentBlocks: [DecodedBlock(context.Student)]);

    protected override IObjective Create(MaePixelsOptions options, PluginContext context, int? teacherWidth)
    {
        var student = context.Student;
        var decoder = new VideoMaeDecoder(
            encoderWidth: student.Width,
            width: options.DecoderWidth,
            depth: options.DecoderDepth,
            heads: options.DecoderHeads,
            tokens: student.Grid.Count,
            outputsPerToken: student.PixelsPerToken);
        return new MaePixelsObjective(decoder, DecodedBlock(student), student, options.NormalizeTarget);
    }

    /// <summary>
    /// The block the decoder reads: the last, after the encoder's final norm, as VideoMAE's encoder
    /// hands its normed output to encoder_to_decoder (modeling_pretrain.py).
    /// </summary>
    private static int DecodedBlock(StudentSpec student) => student.Depth - 1;
}
