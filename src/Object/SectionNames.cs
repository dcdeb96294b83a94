namespace Ebpf.Object
{
    public static class SectionNames
    {
        public static bool TryParse(string section, out ProgramType type, out AttachType expectedAttachType,
                                    out AttachType attachType, out string? attachTarget, out bool sleepable)
        {
            type = ProgramType.Unspec; expectedAttachType = 0; attachType = 0; attachTarget = null; sleepable = false;
            return false;
        }
    }
}
