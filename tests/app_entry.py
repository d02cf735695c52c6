"""AppTest entry: runs the real `streamlit_app.py` from outside the folder that holds `pages/`.

AppTest loses widget interactions when its script sits next to a folder named `pages/`
(PITFALLS.md), so tests start the app through this file instead.
"""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).resolve().parent.parent / "streamlit_app.py"), run_name="__main__")
