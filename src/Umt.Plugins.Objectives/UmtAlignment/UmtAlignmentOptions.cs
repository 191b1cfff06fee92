using System.ComponentModel.DataAnnotations;

namespace Umt.Plugins.Objectives.UmtAlignment;

/// <summary>
/// Options of the <c>umt-alignment</c> objective (<c>Umt:Objectives:umt-alignment:Options</c>):
/// unmasked token alignment of the student's last K blocks to the teacher's last K blocks.
/// </summary>
public sealed class UmtAlignmentOptions
{
    /// <summary>
    /// K, the number of aligned layers (the reference's <c>clip_return_layer</c>, 6 for B/16 and
    /// L/16). Default (null): 6 for a student of 12 blocks or more, as every published recipe; half
    /// the student's depth below. The runner asks both the student and the teacher for exactly
    /// their last K blocks.
    /// </summary>
    [Range(1, 1024)]
    public int? Layers { get; set; }
}
