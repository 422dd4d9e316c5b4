#version 330 core
// Sky gradient: blends horizon and zenith colours by the view direction's height.
in vec3 v_dir;
out vec4 frag_color;
uniform vec3 u_horizon;
uniform vec3 u_zenith;
uniform float u_sharpness;

void main()
{
    float h = clamp(normalize(v_dir).y, 0.0, 1.0);
    float t = pow(h, u_sharpness);
    frag_color = vec4(mix(u_horizon, u_zenith, t), 1.0);
}
