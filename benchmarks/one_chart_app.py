"""The baseline for benchmarks/bench_app.py: a minimal Streamlit page, one slider and one Plotly line.

    streamlit run benchmarks/one_chart_app.py

Moving the slider reruns the script and redraws a small line figure (200 points), the least work a
Streamlit page with a Plotly chart can do per rerun. gdviz's page is measured against it.
"""
import numpy as np
import plotly.graph_objects as go
import streamlit as st

frequency = st.slider("Frequency", 0.5, 10.0, 2.0, step=0.5, key="frequency")
x = np.linspace(0.0, 2.0 * np.pi, 200)
st.plotly_chart(go.Figure(go.Scatter(x=x, y=np.sin(frequency * x), mode="lines")))
