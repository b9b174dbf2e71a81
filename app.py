"""gdviz: the lecture page (being built; see the issues)."""
import streamlit as st

import gdviz

st.set_page_config(page_title="gdviz", layout="wide")
data = gdviz.synthetic()
run = gdviz.descend(data, lr=0.1, steps=50)
st.title("Gradient descent on linear regression")
st.write(f"{data.name}: loss {run.loss[0]:.4g} → {run.loss[-1]:.4g} in {run.steps} steps.")
