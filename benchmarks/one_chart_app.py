"""The baseline for the benchmarks: a minimal Streamlit page, one slider and one Plotly chart.

    streamlit run benchmarks/one_chart_app.py          # a line (200 points)
    http://localhost:8501/?chart=surface               # one 3-D surface (61 x 61), the 3-D baseline

Moving the slider reruns the script and redraws a small figure, the least work a Streamlit page with
a Plotly chart can do per rerun. gdviz's page is measured against it (bench_app.py, bench_hall.py;
bench_phone.py compares gdviz's first 3-D view with the surface).
"""
import numpy as np
import plotly.graph_objects as go
import streamlit as st

frequency = st.slider("Frequency", 0.5, 10.0, 2.0, step=0.5, key="frequency")
if st.query_params.get("chart") == "surface":
    w, b = np.meshgrid(np.linspace(-3.0, 3.0, 61), np.linspace(-3.0, 3.0, 61))
    st.plotly_chart(go.Figure(go.Surface(x=w[0], y=b[:, 0], z=np.sin(frequency * w) + b ** 2)), height=620)
else:
    x = np.linspace(0.0, 2.0 * np.pi, 200)
    st.plotly_chart(go.Figure(go.Scatter(x=x, y=np.sin(frequency * x), mode="lines")))
