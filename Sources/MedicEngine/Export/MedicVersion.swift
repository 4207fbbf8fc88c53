/// Medic's release, for `medic --version`, `medic_build_info` and the User-Agent of what it posts.
public enum MedicVersion {
    public static let current = "0.5.0"
}
