"""Where frames come from: photo files, the drop folder (`waybill watch`) and the desk camera (`waybill camera`).

Sources produce frames and files and hand them to the Recorder they are given
(sources/recorder.py); they import neither the facade nor the store.
"""
